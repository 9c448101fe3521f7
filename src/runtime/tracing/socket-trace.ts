import { neverThrows } from "../callback-safety.js";
import type { GuardedSocket } from "../guarded-socket.js";
import { monotonicNow } from "../timers.js";
import { WS_CLOSED, WS_OPEN, readProperty } from "../ws-shapes.js";
import { gatewayCloseCause } from "./close-cause.js";
import { closeCodeOf, closeReasonOf, emit, type CloseInitiator } from "./events.js";
import { bufferedAmountOf, writableLengthOf } from "./socket-readings.js";

/** ws's code when no close frame arrived; any other code at `close` came from the peer's frame. */
const NO_CLOSE_FRAME_CODE = 1006;

/**
 * The raw socket's `end`, the peer's FIN, which ws emits no event for; installed only while
 * tracing is on. Close calls are seen by the close route (see ../close-grace.ts).
 */
export function observeSocketLifecycle(guarded: GuardedSocket): void {
  const raw = guarded.socket._socket;
  const on = readProperty(raw, "on");
  if (typeof on === "function") {
    // An extra `end` listener changes nothing in the stream's flow; ws keeps its own.
    Reflect.apply(on, raw, ["end", neverThrows("peer FIN trace", () => peerFinished(guarded))]);
  }
}

/**
 * A close call: the gateway's own, or ws answering the peer's close frame (ws sets
 * `_closeFrameReceived` just before it calls `close` for that), so close-start knows who began.
 */
export function closeCalled(guarded: GuardedSocket, args: unknown[]): void {
  if (guarded.closed) return;
  if (readProperty(guarded.socket, "_closeFrameReceived") === true) {
    traceCloseFrame(guarded);
    const { code, reason } = peerCloseOf(guarded);
    recordCloseStart(guarded, "peer", code, reason, "close-frame");
    return;
  }
  // A close call on a socket already closing starts nothing new.
  if (guarded.socket.readyState !== WS_OPEN) return;
  const reason = closeReasonOf(args[1]);
  const cause = receiverFailed(guarded.socket) ? "protocol-error" : gatewayCloseCause(reason, guarded.group.shuttingDown);
  recordCloseStart(guarded, "gateway", closeCodeOf(args[0]), reason, cause);
}

/** ws closes by itself (1002, 1007, 1009…) when the peer's frames break the protocol; its receiver has failed then. */
function receiverFailed(socket: unknown): boolean {
  return readProperty(readProperty(readProperty(socket, "_receiver"), "_writableState"), "errorEmitted") === true;
}

/** From the gateway's close helper (the closeStarted callback), which runs before its `socket.close`. */
export function gatewayCloseStarted(guarded: GuardedSocket, code: number | undefined, reason: string): void {
  if (guarded.closed || guarded.socket.readyState === WS_CLOSED) return;
  recordCloseStart(guarded, "gateway", code, reason, gatewayCloseCause(reason, guarded.group.shuttingDown));
}

/**
 * A FIN that starts the close is recorded by its close-start line (by the peer, cause `fin`); a
 * peer-fin line is written only when a close was already under way, where nothing else records it.
 * Most connections end with the peer's FIN, and every line costs the gateway a few microseconds.
 */
function peerFinished(guarded: GuardedSocket): void {
  if (guarded.closed) return;
  if (guarded.closeStartedBy === undefined) recordCloseStart(guarded, "peer", undefined, "", "fin");
  else emit({ type: "peerFin", connectionId: guarded.connectionId });
}

/** The first close start wins: later calls are the same close seen from another path. */
function recordCloseStart(
  guarded: GuardedSocket,
  by: CloseInitiator,
  code: number | undefined,
  reason: string,
  cause: string | undefined,
): void {
  if (guarded.closeStartedBy !== undefined) return;
  guarded.closeStartedBy = by;
  guarded.closingSince = monotonicNow();
  emit({ type: "closeStarted", connectionId: guarded.connectionId, by, code, reason, cause });
}

function traceCloseFrame(guarded: GuardedSocket): void {
  if (guarded.closeFrameTraced) return;
  guarded.closeFrameTraced = true;
  const { code, reason } = peerCloseOf(guarded);
  emit({ type: "closeFrame", connectionId: guarded.connectionId, code, reason, reply: guarded.closeStartedBy === "gateway" });
}

function peerCloseOf(guarded: GuardedSocket): { code: number | undefined; reason: string } {
  return {
    code: closeCodeOf(readProperty(guarded.socket, "_closeCode")),
    reason: closeReasonOf(readProperty(guarded.socket, "_closeMessage")),
  };
}

/**
 * Emitted from the runtime's own `close` listener. A close frame the observer missed (tracing
 * started later, or a ws without the flag) is still reported, from the flag or the close code.
 */
export function socketClosedTrace(guarded: GuardedSocket, code: number | undefined): void {
  const flag = readProperty(guarded.socket, "_closeFrameReceived");
  const frameReceived = flag === true || (flag === undefined && code !== undefined && code !== NO_CLOSE_FRAME_CODE);
  if (frameReceived) traceCloseFrame(guarded);
  emit({
    type: "closed",
    connectionId: guarded.connectionId,
    code,
    durationMs: Math.round(monotonicNow() - guarded.openedAt),
    bufferedAmount: bufferedAmountOf(guarded.socket),
    writableLength: writableLengthOf(guarded.socket),
  });
}
