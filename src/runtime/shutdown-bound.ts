import type { RuntimeConfig, ServerKind } from "./contract.js";
import { neverThrows } from "./callback-safety.js";
import { wrapInstanceMethod } from "./method-wrap.js";
import { sharedState } from "./shared-state.js";
import { guardedSocketOf, type SocketGroup } from "./guarded-socket.js";
import { terminateByFix } from "./terminate.js";
import { startTimeout } from "./timers.js";
import { emit } from "./tracing/events.js";
import { WS_CLOSED, clientsOf, type WsSocketLike, type WssLike } from "./ws-shapes.js";

/**
 * In ws 8 `wss.close(cb)` only calls back once every client has closed, and the gateway awaits it
 * before closing its HTTP server; one frozen peer therefore holds the port until the gateway's own
 * shutdown timeout kills the process. Terminating whatever is left after a grace lets close finish.
 */
export function boundServerClose(wss: WssLike, kind: ServerKind, group: SocketGroup, config: RuntimeConfig): void {
  wrapInstanceMethod(wss, "close", (originalClose) =>
    function closeWithinGrace(this: unknown, ...args: unknown[]): unknown {
      try {
        return Reflect.apply(originalClose, this, args);
      } finally {
        neverThrows("bounded shutdown", () => armBoundedShutdown(wss, kind, group, config))();
      }
    },
  );
}

/** Idempotent per server; `group` is absent when the chunk never reported the server to guardServer. */
export function armBoundedShutdown(
  wss: WssLike,
  kind: ServerKind | undefined,
  group: SocketGroup | undefined,
  config: RuntimeConfig,
): void {
  const armed = sharedState().shutdownArmed;
  if (armed.has(wss)) return;
  armed.add(wss);
  if (group !== undefined) group.shuttingDown = true;
  emit({ type: "shutdown", kind, remainingClients: lingeringClients(wss, group).length, graceMs: config.shutdownGraceMs });
  startTimeout(
    neverThrows("bounded shutdown timer", () => {
      for (const socket of lingeringClients(wss, group)) {
        const guarded = guardedSocketOf(socket);
        terminateByFix(socket, guarded?.connectionId, "bounded-shutdown", guarded?.config.abortiveClose ?? config.abortiveClose);
      }
    }),
    config.shutdownGraceMs,
  );
}

/** `wss.clients` is absent with clientTracking off; our own group still knows the sockets. */
function lingeringClients(wss: WssLike, group: SocketGroup | undefined): WsSocketLike[] {
  const sockets = new Set<WsSocketLike>(clientsOf(wss));
  if (group !== undefined) for (const member of group.members) sockets.add(member.socket);
  return [...sockets].filter((socket) => socket.readyState !== WS_CLOSED);
}
