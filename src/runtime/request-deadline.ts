import { neverThrows } from "./hook-safety.js";
import { sharedState } from "./shared-state.js";
import { peerAddressOf } from "./socket-trace.js";
import { startTimeout } from "./timers.js";
import { emit, tracingActive } from "./trace.js";
import { readProperty } from "./ws-shapes.js";

interface ListeningServer {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

interface DestroyableSocket {
  destroy(): unknown;
  once(event: "close", listener: () => void): unknown;
}

function isListeningServer(value: unknown): value is ListeningServer {
  return typeof readProperty(value, "on") === "function";
}

function isDestroyableSocket(value: unknown): value is DestroyableSocket {
  return typeof readProperty(value, "destroy") === "function" && typeof readProperty(value, "once") === "function";
}

/** On a TLS server `request` carries the TLS socket, not the TCP one `connection` saw; we could not clear the deadline. */
function isTlsServer(server: unknown): boolean {
  return typeof readProperty(server, "setSecureContext") === "function" || typeof readProperty(server, "addContext") === "function";
}

/**
 * Node enforces headersTimeout only from a periodic sweep (every 30 s by default), so a half-sent
 * upgrade request can hold a connection well past the limit. This gives each new connection its
 * own deadline for the first complete request head; a `request` or the gateway's upgrade handler
 * (see `firstRequestStarted`) clears it. No `upgrade` or `connect` listener is added: their mere
 * presence changes how Node routes those requests.
 */
export function enforceFirstRequestDeadline(server: unknown, deadlineMs: number): void {
  if (!isListeningServer(server) || isTlsServer(server)) return;
  const state = sharedState();
  if (state.deadlineServers.has(server)) return;
  state.deadlineServers.add(server);
  const deadlines = state.firstRequestDeadlines;

  server.on(
    "connection",
    neverThrows("first request deadline", (socket: unknown) => {
      if (!isDestroyableSocket(socket) || deadlines.has(socket)) return;
      const timer = startTimeout(
        neverThrows("first request deadline timer", () => {
          deadlines.delete(socket);
          if (tracingActive()) emit({ type: "terminated", connectionId: undefined, mechanism: "request-deadline", ...peerAddressOf(socket) });
          socket.destroy();
        }),
        deadlineMs,
      );
      deadlines.set(socket, timer);
      socket.once("close", neverThrows("first request deadline cleanup", () => firstRequestStarted(socket)));
    }),
  );
  server.on(
    "request",
    neverThrows("first request seen", (req: unknown) => firstRequestStarted(readProperty(req, "socket"))),
  );
}

export function firstRequestStarted(rawSocket: unknown): void {
  if (typeof rawSocket !== "object" || rawSocket === null) return;
  const deadlines = sharedState().firstRequestDeadlines;
  const timer = deadlines.get(rawSocket);
  if (timer === undefined) return;
  clearTimeout(timer);
  deadlines.delete(rawSocket);
}
