import type { RuntimeEvent } from "./events.js";
import { scrubbedLabel, scrubbedMessage, scrubbedReason } from "./scrub.js";

/** The gateway's connection ids are UUIDs; anything else in that field is not written. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One line of the trace file before serialisation: `ts`, `pid` and `ev` first, then the event's fields. */
export type TraceLine = { ts: number; pid: number; ev: string } & Record<string, unknown>;

/** Events only written at `debug`: one per ping and pong would dwarf the lifecycle lines. */
export function isDebugEvent(event: RuntimeEvent): boolean {
  return event.type === "ping" || event.type === "pong";
}

/**
 * Maps a runtime event to its line. Free text and client labels are checked and scrubbed here,
 * the only way out to disk.
 * Undefined fields vanish in JSON, so absent facts cost nothing. Each line is one literal, with no
 * spread of a shared head: this runs for every event of every connection.
 */
export function traceLineOf(event: RuntimeEvent, ts: number, pid: number): TraceLine {
  switch (event.type) {
    case "started":
      return {
        ts,
        pid,
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
        // This runtime writes `exit` when the process ends in order: the next start may judge a missing one.
        endRecords: true,
      };
    case "attached":
      return { ts, pid, ev: "attach", tool: event.toolVersion, release: event.release, chunk: event.chunk, patches: event.patches };
    case "opened":
      return { ts, pid, ev: "open", conn: event.connectionId, server: event.kind, peer: event.peer, port: event.port };
    case "authenticated":
      return {
        ts,
        pid,
        ev: "auth",
        conn: event.connectionId,
        gatewayConn: event.gatewayConnId !== undefined && UUID.test(event.gatewayConnId) ? event.gatewayConnId : undefined,
        role: scrubbedLabel(event.role),
        client: scrubbedLabel(event.clientId),
        mode: scrubbedLabel(event.clientMode),
        version: scrubbedLabel(event.clientVersion),
        platform: scrubbedLabel(event.platform),
      };
    case "closeStarted":
      return {
        ts,
        pid,
        ev: "close-start",
        conn: event.connectionId,
        by: event.by ?? "gateway",
        code: event.code,
        reason: scrubbedReason(event.reason),
        cause: event.cause,
      };
    case "closeFrame":
      return { ts, pid, ev: "close-frame", conn: event.connectionId, code: event.code, reason: scrubbedReason(event.reason), reply: event.reply };
    case "peerFin":
      return { ts, pid, ev: "peer-fin", conn: event.connectionId };
    case "error":
      return { ts, pid, ev: "error", conn: event.connectionId, message: scrubbedMessage(event.message) };
    case "heartbeatMissed":
      return { ts, pid, ev: "heartbeat-missed", conn: event.connectionId, ping: event.pingSource, waitedMs: event.waitedMs };
    case "terminated":
      return {
        ts,
        pid,
        ev: "terminated",
        conn: event.connectionId,
        mechanism: event.mechanism,
        reset: event.reset,
        bufferedAmount: event.bufferedAmount,
        writableLength: event.writableLength,
        peer: event.peer,
        port: event.port,
      };
    case "closed":
      return {
        ts,
        pid,
        ev: "closed",
        conn: event.connectionId,
        code: event.code,
        durationMs: event.durationMs,
        bufferedAmount: event.bufferedAmount,
        writableLength: event.writableLength,
      };
    case "shutdown":
      return { ts, pid, ev: "shutdown", server: event.kind, remaining: event.remainingClients, graceMs: event.graceMs };
    case "stall":
      return { ts, pid, ev: "stall", ms: event.blockedMs };
    case "summary":
      return {
        ts,
        pid,
        ev: "summary",
        sockets: event.sockets,
        oldestClosingMs: event.oldestClosingMs,
        bufferedBytes: event.bufferedBytes,
        openFiles: event.openFiles,
        dropped: event.droppedLines,
        writeFailures: event.failedWrites,
        memory: event.health?.memory,
        loopDelayMs: event.health?.loopDelayMs,
        activeResources: event.health?.activeResources,
        uptimeS: event.health?.uptimeS,
      };
    case "exited":
      return { ts, pid, ev: "exit", code: event.code, uptimeMs: event.uptimeMs };
    case "uncaught":
      return {
        ts,
        pid,
        ev: "uncaught",
        origin: event.origin,
        errorClass: scrubbedLabel(event.errorClass),
        message: scrubbedMessage(event.message),
        frame: event.frame === undefined ? undefined : scrubbedMessage(event.frame),
      };
    case "unrecordedEnd":
      return { ts, pid, ev: "unrecorded-end", endedPid: event.endedPid, startedAt: event.startedAt, lastSeen: event.lastSeen, lastSample: event.lastSample };
    case "ping":
      return { ts, pid, ev: "ping", conn: event.connectionId, source: event.source };
    case "pong":
      return { ts, pid, ev: "pong", conn: event.connectionId, waitedMs: event.waitedMs };
  }
}
