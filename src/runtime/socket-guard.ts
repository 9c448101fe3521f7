import { routeCloseCalls, terminateOnError } from "./close-grace.js";
import { callSafely } from "./callback-safety.js";
import { attachGuard, guardedSocketOf, releaseGuard, type GuardedSocket, type SocketGroup } from "./guarded-socket.js";
import { enableTcpKeepAlive } from "./keepalive.js";
import { routeMethodCalls, type AnyFunction } from "./method-wrap.js";
import { trackPings } from "./ping-tracking.js";
import { giveUpOn, isFixTerminating } from "./terminate.js";
import { closeCodeOf, emit, tracingActive } from "./tracing/events.js";
import { observeSocketLifecycle, socketClosedTrace } from "./tracing/socket-trace.js";
import { remoteAddressOf, remotePortOf } from "./tracing/socket-readings.js";
import { WS_CLOSED, isWsSocket } from "./ws-shapes.js";

/**
 * Applies the per-socket fixes once per socket, whichever gateway callback sees it first. Returns
 * undefined for anything that is not an open ws socket. The fixes are installed in this order on
 * purpose: the runtime's own `close` listener runs before the gateway's and the other fixes'.
 */
export function guardSocket(socket: unknown, group: SocketGroup): GuardedSocket | undefined {
  if (!isWsSocket(socket)) return undefined;
  const existing = guardedSocketOf(socket);
  if (existing !== undefined) return existing;
  if (socket.readyState === WS_CLOSED) return undefined;

  const { config, fixes } = group;
  const guarded = attachGuard(socket, group);
  const { connectionId } = guarded;
  socket.on("close", onGuardedSocketClose);

  if (guarded.watchesPongs) trackPings(guarded);
  routeCloseCalls(guarded);
  routeMethodCalls(socket, "terminate", terminateThroughGuard);
  if (fixes.closeGrace) terminateOnError(guarded);
  if (fixes.tcpKeepAlive) enableTcpKeepAlive(socket._socket, config.keepAliveMs);
  group.add(guarded);
  if (tracingActive()) {
    observeSocketLifecycle(guarded);
    emit({ type: "opened", connectionId, kind: guarded.kind, peer: remoteAddressOf(socket._socket), port: remotePortOf(socket._socket) });
  }
  return guarded;
}

/**
 * The release's own terminate on a guarded socket (2026.8.1+ on a missed pong, 2026.9.5+ when its
 * close grace runs out, 2026.4.5+ at shutdown) gives up on the peer just as a fix does, so it is
 * reset and traced the same way; a fix's terminate arrives here already handled.
 */
function terminateThroughGuard(originalTerminate: AnyFunction, receiver: unknown, args: unknown[]): unknown {
  const guarded = guardedSocketOf(receiver);
  if (guarded !== undefined && !guarded.closed && !isFixTerminating() && guarded.socket.readyState !== WS_CLOSED) {
    callSafely("release terminate", giveUpOn, guarded.socket, guarded.connectionId, "release", guarded.config.abortiveClose);
  }
  return Reflect.apply(originalTerminate, receiver, args);
}

/**
 * One listener function for every guarded socket (ws calls it with the socket as `this`), so a
 * connection costs no closures for it: connection churn is where the runtime's cost shows.
 */
function onGuardedSocketClose(this: unknown, code: unknown): void {
  const guarded = guardedSocketOf(this);
  if (guarded !== undefined) callSafely("close listener", socketClosed, guarded, code);
}

function socketClosed(guarded: GuardedSocket, code: unknown): void {
  if (releaseGuard(guarded) && tracingActive()) socketClosedTrace(guarded, closeCodeOf(code));
}
