import type { GatewayCallbacks, ServerKind } from "./contract.js";
import { serverKindOf, type ResolvedAttach } from "./attach-options.js";
import { inertAfterFailure } from "./callback-safety.js";
import { armCloseGrace } from "./close-grace.js";
import { SocketGroup, guardedSocketOf, type GuardedSocket } from "./guarded-socket.js";
import { heartbeatRound } from "./heartbeat.js";
import { httpServerOf, lowerHttpTimeouts } from "./http-timeouts.js";
import { enableTcpKeepAlive } from "./keepalive.js";
import { enforceFirstRequestDeadline, firstRequestStarted } from "./request-deadline.js";
import { guardServer, serverGuardOf } from "./server-guard.js";
import { armBoundedShutdown } from "./shutdown-bound.js";
import { guardSocket } from "./socket-guard.js";
import { authenticatedEvent } from "./tracing/client-identity.js";
import { gatewayCloseCause } from "./tracing/close-cause.js";
import { closeCodeOf, closeReasonOf, emit, tracingActive } from "./tracing/events.js";
import { gatewayCloseStarted } from "./tracing/socket-trace.js";
import { tracingServes } from "./tracing/tracer.js";
import { WS_CLOSED, clientsOf, isHttpServer, isWsSocket, isWss } from "./ws-shapes.js";

function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === "string" ? error : "";
}

function traceGatewayClose(socket: unknown, guarded: GuardedSocket | undefined, code: number | undefined, reason: string): void {
  if (guarded !== undefined) {
    gatewayCloseStarted(guarded, code, reason);
    return;
  }
  if (isWsSocket(socket) && socket.readyState === WS_CLOSED) return;
  emit({ type: "closeStarted", connectionId: undefined, by: "gateway", code, reason, cause: gatewayCloseCause(reason, false) });
}

/**
 * The calls patched code makes into the runtime (see GatewayCallbacks in contract.ts), for one
 * attach. Each is switched off after its first failure, leaving the gateway's own behaviour.
 */
export function createGatewayCallbacks(resolved: ResolvedAttach): GatewayCallbacks {
  const { config, fixes } = resolved;
  // Sockets whose server never went through guardServer still need a heartbeat owner.
  const serverlessGroups = new Map<ServerKind, SocketGroup>();
  const serverlessGroup = (kind: ServerKind): SocketGroup => {
    let group = serverlessGroups.get(kind);
    if (group === undefined) {
      group = new SocketGroup(kind, config, fixes, heartbeatRound);
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
