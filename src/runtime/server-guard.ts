import type { FixSelection, RuntimeConfig, ServerKind } from "./contract.js";
import { neverThrows } from "./callback-safety.js";
import { lowerHttpTimeouts } from "./http-timeouts.js";
import { sharedState } from "./shared-state.js";
import { boundServerClose } from "./shutdown-bound.js";
import { SocketGroup } from "./guarded-socket.js";
import { heartbeatRound } from "./heartbeat.js";
import { guardSocket } from "./socket-guard.js";
import { clientsOf, isHttpServer, isWss, readProperty, type WssLike } from "./ws-shapes.js";

export interface ServerGuard {
  readonly wss: WssLike;
  readonly kind: ServerKind;
  readonly group: SocketGroup;
}

declare module "./shared-state.js" {
  interface RuntimeState {
    readonly servers: WeakMap<object, ServerGuard>;
  }
}

export function serverGuardOf(wss: unknown): ServerGuard | undefined {
  return typeof wss === "object" && wss !== null ? sharedState().servers.get(wss) : undefined;
}

/**
 * The release's own liveness (its 25 s ping, or upstream's keepalive) only ever covers the gateway
 * server; the canvas live-reload server never pings and never sends, so it always needs ours.
 */
function fixesFor(kind: ServerKind, fixes: FixSelection): FixSelection {
  return kind === "canvas" ? { ...fixes, heartbeat: true, enforceReleasePing: false } : fixes;
}

/** Guards a WebSocketServer once per process; later calls (e.g. from a second chunk copy) reuse it. */
export function guardServer(wss: unknown, kind: ServerKind, config: RuntimeConfig, fixes: FixSelection): ServerGuard | undefined {
  if (!isWss(wss)) return undefined;
  const servers = sharedState().servers;
  const existing = servers.get(wss);
  if (existing !== undefined) return existing;

  const guard: ServerGuard = { wss, kind, group: new SocketGroup(kind, config, fixesFor(kind, fixes), heartbeatRound) };
  servers.set(wss, guard);
  // Prepended so the socket is guarded from the upgrade on, before the gateway's handler (and its
  // authentication) runs, and even if that handler throws.
  const onConnection = neverThrows("connection listener", (socket: unknown) => guardSocket(socket, guard.group));
  if (typeof wss.prependListener === "function") wss.prependListener("connection", onConnection);
  else wss.on("connection", onConnection);
  for (const client of clientsOf(wss)) guardSocket(client, guard.group);

  if (fixes.boundedShutdown) boundServerClose(wss, kind, guard.group, config);
  if (fixes.httpTimeouts) {
    // Only reachable when ws owns or was given the HTTP server; the gateway's noServer setup is
    // tuned from upgradeStarted instead.
    const httpServer = readProperty(wss.options, "server");
    if (isHttpServer(httpServer)) lowerHttpTimeouts(httpServer, config.headersTimeoutMs);
  }
  return guard;
}
