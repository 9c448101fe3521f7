import { numberField, stringField, type TraceRecord } from "./records.js";
import type { HeldSocket, MinuteActivity, TraceProcess, TraceReport, UnclosedSocket } from "./report.js";
import { isCliRecord, processesOf } from "./trace-processes.js";
import { ProcessHealthTracker } from "./process-health.js";

export interface SummariseOptions {
  /** Only lines at or after this epoch ms count (process information uses every line). */
  since?: number;
  /** How many sockets the longest-held and oldest-open lists keep. */
  top?: number;
}

const DEFAULT_TOP = 10;
const MAX_CLI_EVENTS = 10;
const MINUTE_MS = 60_000;

interface ConnectionState {
  pid: number;
  conn: number;
  server: string | undefined;
  peer: string | undefined;
  port: number | undefined;
  openedAt: number | undefined;
  closedBy: string | undefined;
  mechanism: string | undefined;
}

function increment(tally: Record<string, number>, key: string): void {
  tally[key] = (tally[key] ?? 0) + 1;
}

/** Turns parsed lines into the report `openclaw-patch trace` prints; pure, no I/O. */
export function summariseTrace(allRecords: readonly TraceRecord[], options: SummariseOptions = {}): TraceReport {
  const top = options.top ?? DEFAULT_TOP;
  const since = options.since;
  const records = since === undefined ? allRecords : allRecords.filter((record) => record.ts >= since);
  const processes = processesOf(allRecords);
  const report: TraceReport = {
    from: undefined,
    to: undefined,
    since,
    events: records.length,
    countsByEvent: {},
    processes,
    restarts: { count: 0, afterUnrecordedEnd: 0, afterUncaught: 0 },
    connections: { opened: 0, authenticated: 0, closed: 0, openAtEnd: 0, lostAtRestart: 0 },
    closes: { byGateway: { total: 0, codes: {} }, byPeer: { total: 0, codes: {} }, withoutCloseStart: 0, causes: {}, closedCodes: {} },
    reclaimed: {},
    terminations: { reset: 0, graceful: 0 },
    heartbeatMissed: 0,
    errors: 0,
    stalls: { count: 0, longestMs: 0, totalMs: 0, longestAt: undefined },
    longestHeld: [],
    oldestOpen: [],
    timeline: [],
    latestSummary: undefined,
    cliEvents: [],
  };
  const health = new ProcessHealthTracker();
  const connections = new Map<string, ConnectionState>();
  const held: HeldSocket[] = [];
  const minutes = new Map<number, MinuteActivity>();
  const minuteOf = (ts: number): MinuteActivity => {
    const minute = Math.floor(ts / MINUTE_MS) * MINUTE_MS;
    let activity = minutes.get(minute);
    if (activity === undefined) {
      activity = { minute, opened: 0, closed: 0, terminated: 0, stalls: 0 };
      minutes.set(minute, activity);
    }
    return activity;
  };
  const connectionOf = (record: TraceRecord): ConnectionState | undefined => {
    const conn = numberField(record, "conn");
    if (conn === undefined) return undefined;
    const key = `${record.pid}:${conn}`;
    let state = connections.get(key);
    if (state === undefined) {
      state = { pid: record.pid, conn, server: undefined, peer: undefined, port: undefined, openedAt: undefined, closedBy: undefined, mechanism: undefined };
      connections.set(key, state);
    }
    return state;
  };

  for (const record of records) {
    report.from = Math.min(report.from ?? record.ts, record.ts);
    report.to = Math.max(report.to ?? record.ts, record.ts);
    increment(report.countsByEvent, record.ev);
    if (isCliRecord(record)) {
      report.cliEvents.push(record);
      if (report.cliEvents.length > MAX_CLI_EVENTS) report.cliEvents.shift();
      continue;
    }
    health.observe(record);
    switch (record.ev) {
      case "open": {
        const state = connectionOf(record);
        report.connections.opened += 1;
        minuteOf(record.ts).opened += 1;
        if (state === undefined) break;
        state.openedAt = record.ts;
        state.server = stringField(record, "server");
        state.peer = stringField(record, "peer");
        state.port = numberField(record, "port");
        break;
      }
      case "auth":
        report.connections.authenticated += 1;
        break;
      case "close-start": {
        const state = connectionOf(record);
        if (state !== undefined && state.closedBy !== undefined) break;
        const by = stringField(record, "by") === "peer" ? "peer" : "gateway";
        if (state !== undefined) state.closedBy = by;
        const tally = by === "peer" ? report.closes.byPeer : report.closes.byGateway;
        tally.total += 1;
        increment(tally.codes, String(numberField(record, "code") ?? "none"));
        const cause = stringField(record, "cause");
        if (cause !== undefined) increment(report.closes.causes, cause);
        break;
      }
      case "terminated": {
        const mechanism = stringField(record, "mechanism") ?? "unknown";
        increment(report.reclaimed, mechanism);
        if (record.reset === true) report.terminations.reset += 1;
        else if (record.reset === false) report.terminations.graceful += 1;
        minuteOf(record.ts).terminated += 1;
        const state = connectionOf(record);
        if (state !== undefined) state.mechanism ??= mechanism;
        break;
      }
      case "closed": {
        report.connections.closed += 1;
        minuteOf(record.ts).closed += 1;
        const code = numberField(record, "code");
        increment(report.closes.closedCodes, String(code ?? "none"));
        const state = connectionOf(record);
        if (state === undefined) break;
        if (state.closedBy === undefined) report.closes.withoutCloseStart += 1;
        const durationMs = numberField(record, "durationMs") ?? (state.openedAt === undefined ? undefined : record.ts - state.openedAt);
        if (durationMs !== undefined) {
          held.push({
            pid: state.pid,
            conn: state.conn,
            server: state.server,
            peer: state.peer,
            port: state.port,
            openedAt: state.openedAt ?? record.ts - durationMs,
            closedAt: record.ts,
            durationMs,
            closedBy: state.closedBy,
            code,
            mechanism: state.mechanism,
          });
        }
        connections.delete(`${state.pid}:${state.conn}`);
        break;
      }
      case "heartbeat-missed":
        report.heartbeatMissed += 1;
        break;
      case "error":
        report.errors += 1;
        break;
      case "stall": {
        const ms = numberField(record, "ms") ?? 0;
        report.stalls.count += 1;
        report.stalls.totalMs += ms;
        if (ms > report.stalls.longestMs) {
          report.stalls.longestMs = ms;
          report.stalls.longestAt = record.ts;
        }
        minuteOf(record.ts).stalls += 1;
        break;
      }
      case "summary":
        report.latestSummary = record;
        break;
    }
  }

  report.longestHeld = held.sort((a, b) => b.durationMs - a.durationMs).slice(0, top);
  const endedPids = new Set(processes.filter((gatewayProcess) => gatewayProcess.ended).map((gatewayProcess) => gatewayProcess.pid));
  const unclosed: UnclosedSocket[] = [];
  for (const state of connections.values()) {
    if (state.openedAt === undefined) continue;
    if (endedPids.has(state.pid)) {
      report.connections.lostAtRestart += 1;
      continue;
    }
    report.connections.openAtEnd += 1;
    unclosed.push({ pid: state.pid, conn: state.conn, peer: state.peer, port: state.port, openedAt: state.openedAt, ageMs: (report.to ?? state.openedAt) - state.openedAt });
  }
  report.oldestOpen = unclosed.sort((a, b) => b.ageMs - a.ageMs).slice(0, top);
  report.timeline = [...minutes.values()].sort((a, b) => a.minute - b.minute);
  health.complete(processes);
  report.restarts = restartsOf(processes, report.from, report.to);
  return report;
}

/** Processes that started within the period and followed an earlier one, with how the earlier one ended. */
function restartsOf(processes: readonly TraceProcess[], from: number | undefined, to: number | undefined): TraceReport["restarts"] {
  const restarts = { count: 0, afterUnrecordedEnd: 0, afterUncaught: 0 };
  if (from === undefined || to === undefined) return restarts;
  for (let index = 1; index < processes.length; index++) {
    const startedAt = processes[index]!.startedAt;
    if (startedAt < from || startedAt > to) continue;
    restarts.count += 1;
    const previousEnd = processes[index - 1]!.end?.how;
    if (previousEnd === "unrecorded") restarts.afterUnrecordedEnd += 1;
    if (previousEnd === "uncaught") restarts.afterUncaught += 1;
  }
  return restarts;
}
