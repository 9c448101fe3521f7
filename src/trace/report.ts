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
}

export interface TraceReport {
  from: number | undefined;
  to: number | undefined;
  since: number | undefined;
  events: number;
  countsByEvent: Record<string, number>;
  processes: TraceProcess[];
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
