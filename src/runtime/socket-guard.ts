import type { FixSelection, RuntimeConfig, ServerKind } from "./contract.js";
import { routeCloseCalls, terminateOnError } from "./close-grace.js";
import { callSafely, neverThrows } from "./hook-safety.js";
import { enableTcpKeepAlive } from "./keepalive.js";
import { trackPings } from "./ping-tracking.js";
import { PongWatch } from "./pong-watch.js";
import { sharedState } from "./shared-state.js";
import type { SocketGroup } from "./socket-group.js";
import { processStallDetector } from "./stall-detector.js";
import { routeMethodCalls, type AnyFunction } from "./method-wrap.js";
import { giveUpOn, isFixTerminating, terminateByFix } from "./terminate.js";
import { observeSocketLifecycle, remoteAddressOf, remotePortOf, socketClosedTrace } from "./socket-trace.js";
import { monotonicNow } from "./timers.js";
import { closeCodeOf, emit, tracingActive, type CloseInitiator } from "./trace.js";
import { WS_CLOSED, isWsSocket, type WsSocketLike } from "./ws-shapes.js";

export interface GuardedSocket {
  readonly connectionId: number;
  readonly kind: ServerKind;
  readonly socket: WsSocketLike;
  readonly config: RuntimeConfig;
  readonly fixes: FixSelection;
  readonly group: SocketGroup;
  /** Whether pings on this socket open pong windows (our heartbeat, or the release's own ping). */
  readonly watchesPongs: boolean;
  /** Created at the socket's first ping: most connections never see one. */
  pongWatch: PongWatch | undefined;
  closeGraceTimer: NodeJS.Timeout | undefined;
  closed: boolean;
  /** Monotonic time of the guard, for the `closed` duration and the summary's ages. */
  readonly openedAt: number;
  /** Who started the close, once known; the first close start wins. */
  closeStartedBy: CloseInitiator | undefined;
  /** Monotonic time the close started (or was first seen in progress). */
  closingSince: number | undefined;
  closeFrameTraced: boolean;
}

export function guardedSocketOf(socket: unknown): GuardedSocket | undefined {
  if (typeof socket !== "object" || socket === null) return undefined;
  return (socket as Record<symbol, GuardedSocket | undefined>)[sharedState().guardKey];
}

/**
 * The guard lives on the socket under a hidden symbol rather than in a WeakMap: under connection
 * churn the WeakMap's entries (ephemerons) cost the garbage collector about half a percent of the
 * gateway's CPU in a profile. Every guarded socket gains the same property, so ws's sockets keep
 * one hidden class; non-enumerable, so code that copies or lists a socket's keys sees no change.
 */
function attachGuard(socket: WsSocketLike, key: symbol, guarded: GuardedSocket): void {
  Object.defineProperty(socket, key, { value: guarded, writable: false, enumerable: false, configurable: true });
}

/**
 * Applies the per-socket fixes once per socket, whichever hook sees it first. Returns undefined
 * for anything that is not an open ws socket.
 */
export function guardSocket(socket: unknown, group: SocketGroup): GuardedSocket | undefined {
  if (!isWsSocket(socket)) return undefined;
  const existing = guardedSocketOf(socket);
  if (existing !== undefined) return existing;
  if (socket.readyState === WS_CLOSED) return undefined;

  const { config, fixes } = group;
  const watchesPongs = fixes.heartbeat || fixes.enforceReleasePing;
  const state = sharedState();
  const connectionId = ++state.nextConnectionId;
  const guarded: GuardedSocket = {
    connectionId,
    kind: group.kind,
    socket,
    config,
    fixes,
    group,
    watchesPongs,
    pongWatch: undefined,
    closeGraceTimer: undefined,
    closed: false,
    openedAt: monotonicNow(),
    closeStartedBy: undefined,
    closingSince: undefined,
    closeFrameTraced: false,
  };
  attachGuard(socket, state.guardKey, guarded);
  state.liveSockets.add(guarded);
  socket.on("close", onGuardedSocketClose);

  if (watchesPongs) trackPings(guarded);
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

/**
 * One listener function for every guarded socket (ws calls it with the socket as `this`), so a
 * connection costs no closures for it: connection churn is where the runtime's cost shows.
 */
function onGuardedSocketClose(this: unknown, code: unknown): void {
  const guarded = guardedSocketOf(this);
  if (guarded !== undefined) callSafely("close listener", socketClosed, guarded, code);
}

function socketClosed(guarded: GuardedSocket, code: unknown): void {
  if (guarded.closed) return;
  guarded.closed = true;
  guarded.pongWatch?.stop();
  if (guarded.closeGraceTimer !== undefined) clearTimeout(guarded.closeGraceTimer);
  guarded.closeGraceTimer = undefined;
  guarded.group.remove(guarded);
  sharedState().liveSockets.delete(guarded);
  if (tracingActive()) socketClosedTrace(guarded, closeCodeOf(code));
}
