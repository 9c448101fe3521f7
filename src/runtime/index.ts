/**
 * Entry point of the runtime that patched OpenClaw chunks load (shipped as
 * `openclaw-patch-runtime.mjs` at the package root). Only `attach` is exported: the chunk needs nothing else.
 */
import type { AttachOptions, RuntimeHooks, ServerKind } from "./contract.js";
import { resolveAttachOptions, serverKindOf, type ResolvedAttach } from "./attach-options.js";
import { armCloseGrace } from "./close-grace.js";
import { isRuntimeDisabled } from "./config.js";
import { inertAfterFailure } from "./hook-safety.js";
import { httpServerOf, lowerHttpTimeouts } from "./http-timeouts.js";
import { enableTcpKeepAlive } from "./keepalive.js";
import { enforceFirstRequestDeadline, firstRequestStarted } from "./request-deadline.js";
import { guardServer, serverGuardOf } from "./server-guard.js";
import { armBoundedShutdown } from "./shutdown-bound.js";
import { SocketGroup } from "./socket-group.js";
import { guardSocket, guardedSocketOf } from "./socket-guard.js";
import { closeCodeOf, closeReasonOf, emit } from "./trace.js";
import { isHttpServer, isWsSocket, isWss } from "./ws-shapes.js";
import { WARNING_CODES, describeError, warnOnce } from "./warnings.js";

function noop(): void {}

function inertHooks(): RuntimeHooks {
  return {
    guardServer: noop,
    connectionOpened: noop,
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
      guardServer(wss, serverKindOf(kind), config, fixes);
    }),

    connectionOpened: inertAfterFailure("connectionOpened", (socket: unknown, _upgradeReq: unknown, kind: unknown) => {
      if (guardedSocketOf(socket) !== undefined) return;
      guardSocket(socket, serverlessGroup(serverKindOf(kind)));
    }),

    closeStarted: inertAfterFailure("closeStarted", (socket: unknown, code: unknown, reason: unknown) => {
      if (!isWsSocket(socket)) return;
      const guarded = guardedSocketOf(socket);
      emit({ type: "closeStarted", connectionId: guarded?.connectionId, code: closeCodeOf(code), reason: closeReasonOf(reason) });
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
      if (!fixes.httpTimeouts || !isHttpServer(httpServer)) return;
      lowerHttpTimeouts(httpServer, config.headersTimeoutMs);
      enforceFirstRequestDeadline(httpServer, config.headersTimeoutMs);
    }),

    upgradeStarted: inertAfterFailure("upgradeStarted", (req: unknown, rawSocket: unknown, httpServer: unknown) => {
      firstRequestStarted(rawSocket);
      if (fixes.tcpKeepAlive) enableTcpKeepAlive(rawSocket, config.keepAliveMs);
      if (!fixes.httpTimeouts) return;
      const server = httpServerOf(httpServer, rawSocket, req);
      if (server !== undefined) lowerHttpTimeouts(server, config.headersTimeoutMs);
    }),

    shutdownStarted: inertAfterFailure("shutdownStarted", (wss: unknown) => {
      if (!fixes.boundedShutdown || !isWss(wss)) return;
      const guard = serverGuardOf(wss);
      armBoundedShutdown(wss, guard?.kind, guard?.group, config.shutdownGraceMs);
    }),
  };
}

export function attach(options: AttachOptions): RuntimeHooks {
  try {
    if (isRuntimeDisabled(process.env)) return inertHooks();
    const resolved = resolveAttachOptions(options, process.env);
    emit({
      type: "attached",
      toolVersion: resolved.toolVersion,
      release: resolved.release,
      chunk: resolved.chunk,
      patches: resolved.patches,
    });
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
