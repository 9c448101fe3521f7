import { resetSocket } from "./abortive-close.js";
import { neverThrows } from "./callback-safety.js";
import { sharedState } from "./shared-state.js";
import { remoteAddressOf, remotePortOf } from "./tracing/socket-readings.js";
import { monotonicNow, startInterval } from "./timers.js";
import { emit, tracingActive } from "./tracing/events.js";
import { readProperty } from "./ws-shapes.js";

interface ListeningServer {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

interface DestroyableSocket {
  destroy(): unknown;
  destroyed?: unknown;
}

/** The sweep runs this many times per deadline, so a connection is cut at most a quarter deadline late. */
const SWEEPS_PER_DEADLINE = 4;
const MIN_SWEEP_MS = 50;
const MAX_SWEEP_MS = 1_000;

function isListeningServer(value: unknown): value is ListeningServer {
  return typeof readProperty(value, "on") === "function";
}

function isDestroyableSocket(value: unknown): value is DestroyableSocket {
  return typeof readProperty(value, "destroy") === "function";
}

/** On a TLS server `request` carries the TLS socket, not the TCP one `connection` saw; we could not clear the deadline. */
function isTlsServer(server: unknown): boolean {
  return typeof readProperty(server, "setSecureContext") === "function" || typeof readProperty(server, "addContext") === "function";
}

/**
 * Node enforces headersTimeout only from a periodic sweep (every 30 s by default), so a half-sent
 * upgrade request can hold a connection well past the limit. This gives each new connection a
 * deadline for its first complete request head; a `request` or the gateway's upgrade handler (see
 * `firstRequestStarted`) clears it. No `upgrade` or `connect` listener is added: their mere
 * presence changes how Node routes those requests.
 *
 * Deadlines are kept in one map and enforced by one sweep, not by a timer and a `close` listener
 * per connection: nearly every connection clears its deadline within milliseconds, and under
 * connection churn the per-connection timer was one of the runtime's largest costs.
 */
export function enforceFirstRequestDeadline(server: unknown, deadlineMs: number, abortive: boolean): void {
  if (!isListeningServer(server) || isTlsServer(server)) return;
  const state = sharedState();
  if (state.deadlineServers.has(server)) return;
  state.deadlineServers.add(server);
  // One process runs one configuration: every attach resolves the same apply-time values and environment.
  state.resetExpiredRequests = abortive;
  const sweepMs = Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, Math.floor(deadlineMs / SWEEPS_PER_DEADLINE)));

  server.on(
    "connection",
    neverThrows("first request deadline", (socket: unknown) => {
      const deadlines = state.firstRequestDeadlines;
      if (!isDestroyableSocket(socket) || deadlines.has(socket)) return;
      deadlines.set(socket, monotonicNow() + deadlineMs);
      if (state.firstRequestSweep === undefined) {
        state.firstRequestSweep = startInterval(neverThrows("first request deadline sweep", sweepFirstRequestDeadlines), sweepMs);
      }
    }),
  );
  server.on(
    "request",
    neverThrows("first request seen", (req: unknown) => firstRequestStarted(readProperty(req, "socket"))),
  );
}

function sweepFirstRequestDeadlines(): void {
  const state = sharedState();
  const deadlines = state.firstRequestDeadlines;
  const now = monotonicNow();
  for (const [socket, dueAt] of deadlines) {
    if (!isDestroyableSocket(socket) || socket.destroyed === true) {
      deadlines.delete(socket);
      continue;
    }
    if (dueAt > now) continue;
    deadlines.delete(socket);
    const peer = tracingActive() ? remoteAddressOf(socket) : undefined;
    const port = tracingActive() ? remotePortOf(socket) : undefined;
    const reset = state.resetExpiredRequests === true && resetSocket(socket);
    if (tracingActive()) emit({ type: "terminated", connectionId: undefined, mechanism: "request-deadline", reset, peer, port });
    if (!reset) socket.destroy();
  }
  if (deadlines.size === 0 && state.firstRequestSweep !== undefined) {
    clearInterval(state.firstRequestSweep);
    state.firstRequestSweep = undefined;
  }
}

export function firstRequestStarted(rawSocket: unknown): void {
  if (typeof rawSocket !== "object" || rawSocket === null) return;
  sharedState().firstRequestDeadlines.delete(rawSocket);
}
