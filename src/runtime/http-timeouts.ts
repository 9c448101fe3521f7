import { sharedState } from "./shared-state.js";
import { isHttpServer, readProperty, type HttpServerLike } from "./ws-shapes.js";

/** The server that accepted an upgrade, from the chunk if it passed one, else from the sockets. */
export function httpServerOf(httpServer: unknown, rawSocket: unknown, req: unknown): HttpServerLike | undefined {
  if (isHttpServer(httpServer)) return httpServer;
  const fromSocket = readProperty(rawSocket, "server");
  if (isHttpServer(fromSocket)) return fromSocket;
  const fromRequest = readProperty(readProperty(req, "socket"), "server");
  return isHttpServer(fromRequest) ? fromRequest : undefined;
}

/**
 * Node's defaults let a half-sent request (a stalled upgrade) hold a connection for a minute or
 * more. Only the headers deadline is lowered: the request deadline also bounds whole bodies, and
 * the gateway's HTTP API may legitimately take longer than a header deadline to receive one. The
 * value is only ever lowered, so an operator's stricter setting wins; Node requires
 * headersTimeout <= requestTimeout, which lowering headers alone keeps true.
 */
export function lowerHttpTimeouts(server: HttpServerLike, limitMs: number): void {
  const tuned = sharedState().tunedHttpServers;
  if (tuned.has(server)) return;
  tuned.add(server);
  const ceiling = server.requestTimeout > 0 ? server.requestTimeout : Number.POSITIVE_INFINITY;
  server.headersTimeout = Math.min(lowered(server.headersTimeout, limitMs), ceiling);
}

function lowered(current: number, limitMs: number): number {
  return Number.isFinite(current) && current > 0 ? Math.min(current, limitMs) : limitMs;
}
