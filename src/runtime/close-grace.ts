import { callSafely, neverThrows } from "./callback-safety.js";
import { routeMethodCalls, type AnyFunction } from "./method-wrap.js";
import { guardedSocketOf, type GuardedSocket } from "./guarded-socket.js";
import { closeCalled } from "./tracing/socket-trace.js";
import { terminateByFix } from "./terminate.js";
import { startTimeout } from "./timers.js";
import { tracingActive } from "./tracing/events.js";

/**
 * ws waits 30 s for a close handshake the peer may never answer (a frozen or non-reading peer),
 * and the kernel then keeps the half-closed socket even longer. A short grace bounds both. ws
 * answers a peer's close frame through the same `close`, so peer-started closes are bounded too.
 */
export function routeCloseCalls(guarded: GuardedSocket): void {
  routeMethodCalls(guarded.socket, "close", closeThroughGuard);
}

export function terminateOnError(guarded: GuardedSocket): void {
  // An extra listener, never a replacement: the gateway's own error handling still runs.
  guarded.socket.on("error", onGuardedSocketError);
}

/** Shared by every guarded socket (ws calls it with the socket as `this`): no closure per connection. */
function onGuardedSocketError(this: unknown): void {
  const guarded = guardedSocketOf(this);
  if (guarded !== undefined) callSafely("error listener", terminateByFix, guarded.socket, guarded.connectionId, "socket-error", guarded.config.abortiveClose);
}

/**
 * Every `close` call on a socket of ws's class. The trace sees the call first (who started the
 * close, and why); the grace is armed only after a close that did not throw: a rejected close
 * leaves the socket open on purpose.
 */
function closeThroughGuard(originalClose: AnyFunction, receiver: unknown, args: unknown[]): unknown {
  const guarded = guardedSocketOf(receiver);
  if (guarded === undefined) return Reflect.apply(originalClose, receiver, args);
  if (tracingActive()) callSafely("close trace", closeCalled, guarded, args);
  const result = Reflect.apply(originalClose, receiver, args);
  if (guarded.fixes.closeGrace) callSafely("close grace", armCloseGrace, guarded);
  return result;
}

export function armCloseGrace(guarded: GuardedSocket): void {
  if (guarded.closed || guarded.closeGraceTimer !== undefined) return;
  guarded.closeGraceTimer = startTimeout(
    neverThrows("close grace timer", () => {
      guarded.closeGraceTimer = undefined;
      if (!guarded.closed) terminateByFix(guarded.socket, guarded.connectionId, "close-grace", guarded.config.abortiveClose);
    }),
    guarded.config.closeGraceMs,
  );
}
