import { resetSocket } from "./abortive-close.js";
import { bufferedAmountOf, writableLengthOf } from "./tracing/socket-readings.js";
import { emit, tracingActive, type TerminateMechanism } from "./tracing/events.js";
import { WS_CLOSED, type WsSocketLike } from "./ws-shapes.js";

let terminatingByFix = false;

/** The one place a fix ends a connection, so every termination is traced with its cause. */
export function terminateByFix(socket: WsSocketLike, connectionId: number | undefined, mechanism: TerminateMechanism, abortive: boolean): void {
  if (socket.readyState === WS_CLOSED) return;
  giveUpOn(socket, connectionId, mechanism, abortive);
  terminatingByFix = true;
  try {
    socket.terminate();
  } finally {
    terminatingByFix = false;
  }
}

/** Whether the terminate call under way is a fix's own, already traced and reset by terminateByFix. */
export function isFixTerminating(): boolean {
  return terminatingByFix;
}

/**
 * What every end of a connection given up on shares, the release's own terminate included: the
 * reset (with abortive close on), and the trace line that says how much the peer left unread,
 * measured before the reset discards it. The caller then runs the ordinary terminate, which after
 * a reset only updates ws's state.
 */
export function giveUpOn(socket: WsSocketLike, connectionId: number | undefined, mechanism: TerminateMechanism, abortive: boolean): void {
  const traced = tracingActive();
  const bufferedAmount = traced ? bufferedAmountOf(socket) : undefined;
  const writableLength = traced ? writableLengthOf(socket) : undefined;
  const reset = abortive && resetSocket(socket._socket);
  if (traced) emit({ type: "terminated", connectionId, mechanism, reset, bufferedAmount, writableLength });
}
