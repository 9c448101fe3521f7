import { bufferedAmountOf, writableLengthOf } from "./socket-trace.js";
import { emit, tracingActive, type TerminateMechanism } from "./trace.js";
import { WS_CLOSED, type WsSocketLike } from "./ws-shapes.js";

/** The one place a fix ends a connection, so every termination is traced with its cause. */
export function terminateByFix(socket: WsSocketLike, connectionId: number | undefined, mechanism: TerminateMechanism): void {
  if (socket.readyState === WS_CLOSED) return;
  // Measured before terminate: how much the peer left unread is what made the socket linger.
  if (tracingActive()) {
    emit({ type: "terminated", connectionId, mechanism, bufferedAmount: bufferedAmountOf(socket), writableLength: writableLengthOf(socket) });
  }
  socket.terminate();
}
