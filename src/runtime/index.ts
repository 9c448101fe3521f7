/**
 * Entry point of the runtime that patched OpenClaw chunks load (shipped as
 * `openclaw-patch-runtime.mjs` at the package root). Only `attach` is exported: the chunk needs nothing else.
 */
import type { AttachOptions, RuntimeHooks, ServerKind } from "./contract.js";
import { resolveAttachOptions, serverKindOf, type ResolvedAttach } from "./attach-options.js";
import { gatewayCloseCause } from "./close-cause.js";
import { authenticatedEvent } from "./client-identity.js";
import { armCloseGrace } from "./close-grace.js";
import { isRuntimeDisabled } from "./config.js";
import { inertAfterFailure } from "./hook-safety.js";
import { httpServerOf, lowerHttpTimeouts } from "./http-timeouts.js";
import { enableTcpKeepAlive } from "./keepalive.js";
import { enforceFirstRequestDeadline, firstRequestStarted } from "./request-deadline.js";
import { guardServer, serverGuardOf } from "./server-guard.js";
import { armBoundedShutdown } from "./shutdown-bound.js";
import { SocketGroup } from "./socket-group.js";
import { guardSocket, guardedSocketOf, type GuardedSocket } from "./socket-guard.js";
import { gatewayCloseStarted } from "./socket-trace.js";
import { closeCodeOf, closeReasonOf, emit, tracingActive } from "./trace.js";
import { startTracing, tracingServes } from "./tracing.js";
import { WS_CLOSED, clientsOf, isHttpServer, isWsSocket, isWss } from "./ws-shapes.js";
import { WARNING_CODES, describeError, warnOnce } from "./warnings.js";

function noop(): void {}

function inertHooks(): RuntimeHooks {
  return {
    guardServer: noop,
    connectionOpened: noop,
    clientAuthenticated: noop,
    closeStarted: noop,
    closeObserved: noop,
    errorObserved: noop,
    guardHttpServer: noop,
    upgradeStarted: noop,
    shutdownStarted: noop,
  };
}

function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === "string" ? error : "";
}

/** Tracing is an observer: if it cannot start, the fixes still attach. It writes only once the process serves (`tracingServes`). */
function startTracingSafely(resolved: ResolvedAttach): void {
  try {
    startTracing(resolved, process.env);
  } catch (error) {
    warnOnce("trace:start", WARNING_CODES.hookFailed, `openclaw-patch runtime could not start tracing; the fixes still apply. ${describeError(error)}`);
  }
}

function traceGatewayClose(socket: unknown, guarded: GuardedSocket | undefined, code: number | undefined, reason: string): void {
  if (guarded !== undefined) {
    gatewayCloseStarted(guarded, code, reason);
    return;
  }
  if (isWsSocket(socket) && socket.readyState === WS_CLOSED) return;
  emit({ type: "closeStarted", connectionId: undefined, by: "gateway", code, reason, cause: gatewayCloseCause(reason, false) });
}

function createHooks(resolved: ResolvedAttach): RuntimeHooks {
  const { config, fixes } = resolved;
  // Sockets whose server never went through guardServer still need a heartbeat owner.
  const serverlessGroups = new Map<ServerKind, SocketGroup>();
  const serverlessGroup = (kind: ServerKind): SocketGroup => {
    let group = serverlessGroups.get(kind);
    if (group === undefined) {
      group = new SocketGroup(kind, config, fixes);
      serverlessGroups.set(kind, group);
    }
    return group;
  };

  return {
    guardServer: inertAfterFailure("guardServer", (wss: unknown, kind: unknown) => {
      if (isWss(wss)) tracingServes();
      guardServer(wss, serverKindOf(kind), config, fixes);
    }),

    connectionOpened: inertAfterFailure("connectionOpened", (socket: unknown, _upgradeReq: unknown, kind: unknown) => {
      if (isWsSocket(socket)) tracingServes();
      if (guardedSocketOf(socket) !== undefined) return;
      guardSocket(socket, serverlessGroup(serverKindOf(kind)));
    }),

    clientAuthenticated: inertAfterFailure("clientAuthenticated", (socket: unknown, client: unknown) => {
      if (!isWsSocket(socket) || !tracingActive()) return;
      emit(authenticatedEvent(guardedSocketOf(socket)?.connectionId, client));
    }),

    closeStarted: inertAfterFailure("closeStarted", (socket: unknown, code: unknown, reason: unknown) => {
      if (!isWsSocket(socket)) return;
      const guarded = guardedSocketOf(socket);
      if (tracingActive()) traceGatewayClose(socket, guarded, closeCodeOf(code), closeReasonOf(reason));
      // The close wrapper arms the grace too; arming here also covers a helper that closes by other means.
      if (guarded !== undefined && guarded.fixes.closeGrace) armCloseGrace(guarded);
    }),

    closeObserved: inertAfterFailure("closeObserved", (socket: unknown, code: unknown) => {
      if (!isWsSocket(socket)) return;
      // Guarded sockets are traced by their own close listener, which runs before the gateway's.
      if (guardedSocketOf(socket) === undefined) emit({ type: "closed", connectionId: undefined, code: closeCodeOf(code) });
    }),

    errorObserved: inertAfterFailure("errorObserved", (socket: unknown, error: unknown) => {
      if (!isWsSocket(socket)) return;
      emit({ type: "error", connectionId: guardedSocketOf(socket)?.connectionId, message: errorMessageOf(error) });
    }),

    guardHttpServer: inertAfterFailure("guardHttpServer", (httpServer: unknown) => {
      if (!isHttpServer(httpServer)) return;
      tracingServes();
      if (!fixes.httpTimeouts) return;
      lowerHttpTimeouts(httpServer, config.headersTimeoutMs);
      enforceFirstRequestDeadline(httpServer, config.headersTimeoutMs, config.abortiveClose);
    }),

    upgradeStarted: inertAfterFailure("upgradeStarted", (req: unknown, rawSocket: unknown, httpServer: unknown) => {
      firstRequestStarted(rawSocket);
      if (fixes.tcpKeepAlive) enableTcpKeepAlive(rawSocket, config.keepAliveMs);
      if (!fixes.httpTimeouts) return;
      const server = httpServerOf(httpServer, rawSocket, req);
      if (server !== undefined) lowerHttpTimeouts(server, config.headersTimeoutMs);
    }),

    shutdownStarted: inertAfterFailure("shutdownStarted", (wss: unknown) => {
      if (!isWss(wss)) return;
      const guard = serverGuardOf(wss);
      if (guard !== undefined) guard.group.shuttingDown = true;
      if (fixes.boundedShutdown) armBoundedShutdown(wss, guard?.kind, guard?.group, config);
      else if (tracingActive()) {
        const remainingClients = clientsOf(wss).filter((client) => client.readyState !== WS_CLOSED).length;
        emit({ type: "shutdown", kind: guard?.kind, remainingClients, graceMs: undefined });
      }
    }),
  };
}

export function attach(options: AttachOptions): RuntimeHooks {
  try {
    if (isRuntimeDisabled(process.env)) return inertHooks();
    const resolved = resolveAttachOptions(options, process.env);
    startTracingSafely(resolved);
    return createHooks(resolved);
  } catch (error) {
    warnOnce(
      "attach",
      WARNING_CODES.hookFailed,
      `openclaw-patch runtime could not attach; the gateway runs unpatched. ${describeError(error)}`,
    );
    return inertHooks();
  }
}
