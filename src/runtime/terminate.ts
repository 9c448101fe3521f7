import { emit, type TerminateMechanism } from "./trace.js";
import { WS_CLOSED, type WsSocketLike } from "./ws-shapes.js";

/** The one place a fix ends a connection, so every termination is traced with its cause. */
export function terminateByFix(socket: WsSocketLike, connectionId: number | undefined, mechanism: TerminateMechanism): void {
  if (socket.readyState === WS_CLOSED) return;
  emit({ type: "terminated", connectionId, mechanism });
  socket.terminate();
}
