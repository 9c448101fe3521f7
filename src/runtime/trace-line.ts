import type { TracedEvent } from "./trace.js";
import { scrubbedMessage, scrubbedReason } from "./trace-scrub.js";

/** One line of the trace file before serialisation: `ts`, `pid` and `ev` first, then the event's fields. */
export type TraceLine = { ts: number; pid: number; ev: string } & Record<string, unknown>;

/** Events only written at `debug`: one per ping and pong would dwarf the lifecycle lines. */
export function isDebugEvent(event: TracedEvent): boolean {
  return event.type === "ping" || event.type === "pong";
}

/**
 * Maps a runtime event to its line. Free text is scrubbed here, the only way out to disk.
 * Undefined fields vanish in JSON, so absent facts cost nothing.
 */
export function traceLineOf(event: TracedEvent, pid: number): TraceLine {
  const head = { ts: event.time, pid };
  switch (event.type) {
    case "started":
      return {
        ...head,
        ev: "started",
        tool: event.toolVersion,
        release: event.release,
        level: event.level,
        node: event.node,
        fixes: Object.entries(event.fixes)
          .filter(([, on]) => on)
          .map(([name]) => name),
        config: event.config,
        trace: event.trace,
      };
    case "attached":
      return { ...head, ev: "attach", tool: event.toolVersion, release: event.release, chunk: event.chunk, patches: event.patches };
    case "opened":
      return { ...head, ev: "open", conn: event.connectionId, server: event.kind, peer: event.peer, port: event.port };
    case "authenticated":
      return {
        ...head,
        ev: "auth",
        conn: event.connectionId,
        gatewayConn: event.gatewayConnId,
        role: event.role,
        client: event.clientId,
        mode: event.clientMode,
        version: event.clientVersion,
        platform: event.platform,
      };
    case "closeStarted":
      return {
        ...head,
        ev: "close-start",
        conn: event.connectionId,
        by: event.by ?? "gateway",
        code: event.code,
        reason: scrubbedReason(event.reason),
        cause: event.cause,
      };
    case "closeFrame":
      return { ...head, ev: "close-frame", conn: event.connectionId, code: event.code, reason: scrubbedReason(event.reason), reply: event.reply };
    case "peerFin":
      return { ...head, ev: "peer-fin", conn: event.connectionId };
    case "error":
      return { ...head, ev: "error", conn: event.connectionId, message: scrubbedMessage(event.message) };
    case "heartbeatMissed":
      return { ...head, ev: "heartbeat-missed", conn: event.connectionId, ping: event.pingSource, waitedMs: event.waitedMs };
    case "terminated":
      return {
        ...head,
        ev: "terminated",
        conn: event.connectionId,
        mechanism: event.mechanism,
        bufferedAmount: event.bufferedAmount,
        writableLength: event.writableLength,
        peer: event.peer,
        port: event.port,
      };
    case "closed":
      return {
        ...head,
        ev: "closed",
        conn: event.connectionId,
        code: event.code,
        durationMs: event.durationMs,
        bufferedAmount: event.bufferedAmount,
        writableLength: event.writableLength,
      };
    case "shutdown":
      return { ...head, ev: "shutdown", server: event.kind, remaining: event.remainingClients, graceMs: event.graceMs };
    case "stall":
      return { ...head, ev: "stall", ms: event.blockedMs };
    case "summary":
      return {
        ...head,
        ev: "summary",
        sockets: event.sockets,
        oldestClosingMs: event.oldestClosingMs,
        bufferedBytes: event.bufferedBytes,
        openFiles: event.openFiles,
        dropped: event.droppedLines,
        writeFailures: event.failedWrites,
      };
    case "ping":
      return { ...head, ev: "ping", conn: event.connectionId, source: event.source };
    case "pong":
      return { ...head, ev: "pong", conn: event.connectionId, waitedMs: event.waitedMs };
  }
}
