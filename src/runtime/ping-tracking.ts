import { routeMethodCalls, type AnyFunction } from "./method-wrap.js";
import { neverThrows } from "./hook-safety.js";
import { guardedSocketOf, pongWatchOf, type GuardedSocket } from "./socket-guard.js";
import { WS_OPEN } from "./ws-shapes.js";
import { WARNING_CODES, describeError, warnOnce } from "./warnings.js";

type FlushCallback = (error?: unknown) => void;

/**
 * ws accepts `ping()`, `ping(cb)`, `ping(data, cb)` and `ping(data, mask, cb)`. Returns the same
 * call with the caller's callback (if any) wrapped so we also learn when the frame was written.
 */
function withFlushCallback(args: unknown[], onFlushed: () => void): unknown[] {
  let [data, mask, callback] = args;
  if (typeof data === "function") {
    callback = data;
    data = mask = undefined;
  } else if (typeof mask === "function") {
    callback = mask;
    mask = undefined;
  }
  const callerCallback = typeof callback === "function" ? (callback as FlushCallback) : undefined;
  const trackedCallback: FlushCallback = (error?: unknown) => {
    if (error === undefined || error === null) neverThrows("ping flush", onFlushed)();
    // Outside our guard on purpose: the caller's callback must behave exactly as without us.
    if (callerCallback !== undefined) callerCallback(error);
  };
  return [data, mask, trackedCallback];
}

/**
 * Every ping sent on a guarded socket, by the release or by our heartbeat, opens a pong window.
 * The release's own ping is not replaced or duplicated; we only watch its answer.
 */
export function trackPings(guarded: GuardedSocket): void {
  routeMethodCalls(guarded.socket, "ping", pingThroughGuard);
}

function pingThroughGuard(originalPing: AnyFunction, receiver: unknown, args: unknown[]): unknown {
  const guarded = guardedSocketOf(receiver);
  if (guarded === undefined || !guarded.watchesPongs) return Reflect.apply(originalPing, receiver, args);
  let callArgs = args;
  try {
    if (guarded.socket.readyState === WS_OPEN) {
      const watch = pongWatchOf(guarded);
      const ping = watch.pingStarted();
      callArgs = withFlushCallback(args, () => watch.pingFlushed(ping));
    }
  } catch (error) {
    callArgs = args;
    warnOnce(
      "callback:ping tracking",
      WARNING_CODES.hookFailed,
      `openclaw-patch runtime could not track a ping; the ping is sent untracked. ${describeError(error)}`,
    );
  }
  return Reflect.apply(originalPing, receiver, callArgs);
}
