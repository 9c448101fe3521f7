import { sharedState } from "./shared-state.js";
import { isHttpServer, readProperty, type HttpServerLike } from "./ws-shapes.js";

/** The server that accepted an upgrade, from the chunk if it passed one, else from the sockets. */
export function httpServerOf(httpServer: unknown, rawSocket: unknown, req: unknown): HttpServerLike | undefined {
  const candidates = [httpServer, readProperty(rawSocket, "server"), readProperty(readProperty(req, "socket"), "server")];
  return candidates.find(isHttpServer);
}

/**
 * Node's defaults let a half-sent request (a stalled upgrade) hold a connection for a minute or
 * more. Values are only ever lowered, so an operator's stricter setting wins; 0 means "no limit"
 * and is lowered too. Node requires headersTimeout <= requestTimeout, so headers follow requests.
 */
export function lowerHttpTimeouts(server: HttpServerLike, limitMs: number): void {
  const tuned = sharedState().tunedHttpServers;
  if (tuned.has(server)) return;
  tuned.add(server);
  const requestTimeout = lowered(server.requestTimeout, limitMs);
  const headersTimeout = Math.min(lowered(server.headersTimeout, limitMs), requestTimeout);
  server.requestTimeout = requestTimeout;
  server.headersTimeout = headersTimeout;
}

function lowered(current: number, limitMs: number): number {
  return Number.isFinite(current) && current > 0 ? Math.min(current, limitMs) : limitMs;
}
