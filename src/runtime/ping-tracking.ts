import type { RuntimeConfig } from "./contract.js";
import { neverThrows } from "./callback-safety.js";
import { guardedSocketOf, type GuardedSocket } from "./guarded-socket.js";
import { routeMethodCalls, type AnyFunction } from "./method-wrap.js";
import { PongWatch } from "./pong-watch.js";
import { processStallDetector } from "./stall-detector.js";
import { terminateByFix } from "./terminate.js";
import { emit } from "./tracing/events.js";
import { WS_OPEN, type WsSocketLike } from "./ws-shapes.js";
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
      WARNING_CODES.callbackFailed,
      `openclaw-patch runtime could not track a ping; the ping is sent untracked. ${describeError(error)}`,
    );
  }
  return Reflect.apply(originalPing, receiver, callArgs);
}

/** The socket's pong watch, created (with its `pong` listener) on first use. */
export function pongWatchOf(guarded: GuardedSocket): PongWatch {
  if (guarded.pongWatch !== undefined) return guarded.pongWatch;
  const watch = createPongWatch(guarded.socket, guarded.connectionId, guarded.config);
  guarded.pongWatch = watch;
  guarded.socket.on("pong", neverThrows("pong listener", () => watch.pongReceived()));
  return watch;
}

function createPongWatch(socket: WsSocketLike, connectionId: number, config: RuntimeConfig): PongWatch {
  return new PongWatch(socket, {
    pongTimeoutMs: config.pongTimeoutMs,
    stall: processStallDetector(config.pongTimeoutMs),
    connectionId,
    onMissed: (pingSource, waitedMs) => {
      emit({ type: "heartbeatMissed", connectionId, pingSource, waitedMs });
      terminateByFix(socket, connectionId, pingSource === "own" ? "heartbeat" : "release-ping", config.abortiveClose);
    },
  });
}
