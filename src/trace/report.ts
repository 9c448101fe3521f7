/** What `openclaw-patch trace` reports; `--json` prints it as is. */
import type { TraceRecord } from "./records.js";

export interface CloseTally {
  total: number;
  /** Close code → count; "none" when the start carried no code (a peer FIN). */
  codes: Record<string, number>;
}

export interface HeldSocket {
  pid: number;
  conn: number;
  server: string | undefined;
  peer: string | undefined;
  port: number | undefined;
  openedAt: number;
  closedAt: number;
  durationMs: number;
  closedBy: string | undefined;
  code: number | undefined;
  /** The fix that terminated it, if one did. */
  mechanism: string | undefined;
}

export interface UnclosedSocket {
  pid: number;
  conn: number;
  peer: string | undefined;
  port: number | undefined;
  openedAt: number;
  /** Age at the last line of the trace. */
  ageMs: number;
}

export interface MinuteActivity {
  /** Epoch ms of the minute's start. */
  minute: number;
  opened: number;
  closed: number;
  terminated: number;
  stalls: number;
}

export interface TraceProcess {
  pid: number;
  startedAt: number;
  lastSeenAt: number;
  tool: string | undefined;
  release: string | undefined;
  level: string | undefined;
  /** A gateway process started after this one, so its unclosed sockets died with it. */
  ended: boolean;
  /** How it ended, as far as the trace tells; filled by the report, absent while reading. */
  end?: ProcessEnd;
  /** Its own figure on an orderly exit, else from its start to its end or last line. */
  uptimeMs?: number;
  /** Its health samples in the report's period; absent for runtimes without them. */
  health?: ProcessHealth | undefined;
}

/**
 * `exit`: it exited in order (code); `uncaught`: an uncaught exception, then usually an exit;
 * `unrecorded`: it left no record and a later start said so (killed, out of memory, native crash);
 * `replaced`: a later process started and nothing says how this one ended (older runtimes);
 * `running`: nothing after it, it may still run.
 */
export interface ProcessEnd {
  how: "exit" | "uncaught" | "unrecorded" | "replaced" | "running";
  /** When it ended: the exit line, or its last line when it left no record. */
  at: number | undefined;
  code: number | undefined;
  uptimeMs: number | undefined;
  error: { origin: string | undefined; errorClass: string | undefined; message: string | undefined; frame: string | undefined } | undefined;
  /** When the next start reported the unrecorded end. */
  reportedAt?: number;
}

export interface FigureSpread {
  min: number;
  median: number;
  max: number;
  last: number;
}

export interface ProcessHealth {
  samples: number;
  lastSampleAt: number | undefined;
  rssBytes: FigureSpread;
  heapUsedBytes: FigureSpread;
  externalBytes: FigureSpread;
  /** Per sample, the p99 and the longest event-loop delay since the previous sample. */
  loopDelayP99Ms: FigureSpread | undefined;
  loopDelayMaxMs: FigureSpread | undefined;
}

export interface TraceReport {
  from: number | undefined;
  to: number | undefined;
  since: number | undefined;
  events: number;
  countsByEvent: Record<string, number>;
  processes: TraceProcess[];
  /** Gateway processes that started in the period after an earlier one, and those of them whose predecessor left no record. */
  restarts: { count: number; afterUnrecordedEnd: number; afterUncaught: number };
  connections: { opened: number; authenticated: number; closed: number; openAtEnd: number; lostAtRestart: number };
  closes: {
    byGateway: CloseTally;
    byPeer: CloseTally;
    /** Closed without any close start: terminated, reset, or a socket error. */
    withoutCloseStart: number;
    causes: Record<string, number>;
    closedCodes: Record<string, number>;
  };
  /** Sockets terminated by each fix ("release": the release's own terminate on a guarded socket). */
  reclaimed: Record<string, number>;
  /** How those terminations ended in the kernel; lines of older runtimes say neither. */
  terminations: { reset: number; graceful: number };
  heartbeatMissed: number;
  errors: number;
  stalls: { count: number; longestMs: number; totalMs: number; longestAt: number | undefined };
  longestHeld: HeldSocket[];
  oldestOpen: UnclosedSocket[];
  timeline: MinuteActivity[];
  latestSummary: TraceRecord | undefined;
  /** Lines the CLI appended (re-patch failures and the like), newest last. */
  cliEvents: TraceRecord[];
}
