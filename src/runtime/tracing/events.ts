import type { FixSelection, RuntimeConfig, ServerKind } from "../contract.js";
import { sharedState } from "../shared-state.js";
import type { HealthFigures } from "./health.js";

/**
 * What ended a connection: a fix, or the release's own terminate ("release") on a socket the
 * runtime guards. Stable names, used in traces and warnings.
 */
export type TerminateMechanism =
  | "release"
  | "heartbeat"
  | "release-ping"
  | "close-grace"
  | "socket-error"
  | "bounded-shutdown"
  | "request-deadline";

export type PingSource = "own" | "release";

export type CloseInitiator = "gateway" | "peer";

export type TraceLevel = "off" | "lifecycle" | "debug";

/** Bytes a socket still held when it was ended: ws's queue (frames + socket queue) and the socket's own. */
export interface BufferedBytes {
  bufferedAmount: number | undefined;
  writableLength: number | undefined;
}

export interface PeerAddress {
  peer: string | undefined;
  port: number | undefined;
}

/**
 * What the gateway told us about an accepted client; identity labels only, never credentials.
 * They are strings as the gateway holds them, not yet checked or scrubbed: `traceLineOf` does that
 * on the way to the file, like every other free text.
 */
export interface ClientIdentity {
  gatewayConnId?: string;
  role?: string;
  clientId?: string;
  clientMode?: string;
  clientVersion?: string;
  platform?: string;
}

export interface TraceSettingsSnapshot {
  file: string;
  maxBytes: number;
  stallMs: number;
  summaryMs: number;
}

/** The health figures of a process's last summary, as its line held them (numbers only). */
export type LastSample = { ts: number } & Record<string, unknown>;

export interface SocketCounts {
  connecting: number;
  open: number;
  closing: number;
  closed: number;
}

export type RuntimeEvent =
  | { type: "attached"; toolVersion: string; release: string; chunk: string; patches: string[] }
  | {
      type: "started";
      toolVersion: string;
      release: string;
      level: TraceLevel;
      node: string;
      fixes: FixSelection;
      config: RuntimeConfig;
      trace: TraceSettingsSnapshot;
    }
  | ({ type: "opened"; connectionId: number; kind: ServerKind } & Partial<PeerAddress>)
  | ({ type: "authenticated"; connectionId: number | undefined } & ClientIdentity)
  | {
      type: "closeStarted";
      connectionId: number | undefined;
      code: number | undefined;
      reason: string;
      by?: CloseInitiator;
      /** The gateway's reason for closing where the runtime can tell it, e.g. "shutdown". */
      cause?: string;
    }
  | { type: "closeFrame"; connectionId: number; code: number | undefined; reason: string; reply: boolean }
  | { type: "peerFin"; connectionId: number }
  | { type: "heartbeatMissed"; connectionId: number; pingSource: PingSource; waitedMs: number }
  | ({
      type: "terminated";
      connectionId: number | undefined;
      mechanism: TerminateMechanism;
      /** Reset (RST, the kernel frees the socket at once) rather than closed gracefully. */
      reset: boolean;
    } & Partial<BufferedBytes> &
      Partial<PeerAddress>)
  | ({ type: "closed"; connectionId: number | undefined; code: number | undefined; durationMs?: number } & Partial<BufferedBytes>)
  | { type: "error"; connectionId: number | undefined; message: string }
  | { type: "shutdown"; kind: ServerKind | undefined; remainingClients: number; graceMs: number | undefined }
  | { type: "stall"; blockedMs: number }
  | {
      type: "summary";
      sockets: SocketCounts;
      oldestClosingMs: number | undefined;
      bufferedBytes: number;
      openFiles: number | undefined;
      droppedLines: number;
      failedWrites: number;
      /** Absent when written by a runtime without health sampling. */
      health?: HealthFigures | undefined;
    }
  /** The process is exiting in order (`process.exit`, an empty loop, or after an uncaught exception). */
  | { type: "exited"; code: number | undefined; uptimeMs: number }
  /** Observed through `uncaughtExceptionMonitor`, before Node (or the gateway's own handler) acts on it. */
  | { type: "uncaught"; origin: "uncaughtException" | "unhandledRejection"; errorClass: string; message: string; frame: string | undefined }
  /** A previous gateway process of this trace that left no `exit` line: killed, out of memory, a native crash. */
  | { type: "unrecordedEnd"; endedPid: number; startedAt: number | undefined; lastSeen: number; lastSample: LastSample | undefined }
  | { type: "ping"; connectionId: number; source: PingSource }
  | { type: "pong"; connectionId: number; waitedMs: number | undefined };

/**
 * Receives each event with its wall-clock time. The event object is shared by every sink, read
 * only; nothing changes it after it was emitted, so a sink may keep it (the file tracer formats
 * its lines later, in batches).
 */
export type TraceSink = (event: RuntimeEvent, time: number) => void;

declare module "../shared-state.js" {
  interface RuntimeState {
    readonly traceSinks: Set<TraceSink>;
  }
}

/**
 * Whether anyone listens. Events whose fields cost something to gather (a getpeername, a getter
 * walk) are only built when this is true, so tracing off stays free.
 */
export function tracingActive(): boolean {
  return sharedState().traceSinks.size > 0;
}

/**
 * The single exit point for runtime events; with no sink installed this costs one size check. The
 * time travels beside the event rather than in a copy of it: one object less per event.
 */
export function emit(event: RuntimeEvent): void {
  const sinks = sharedState().traceSinks;
  if (sinks.size === 0) return;
  const time = Date.now();
  for (const sink of sinks) {
    try {
      sink(event, time);
    } catch {
      // A broken sink must not change connection handling.
    }
  }
}

export function closeCodeOf(code: unknown): number | undefined {
  return typeof code === "number" && Number.isInteger(code) ? code : undefined;
}

/** Close reasons are capped at 123 bytes by the protocol; anything longer is not a reason. */
const MAX_REASON_CHARS = 123;

export function closeReasonOf(reason: unknown): string {
  if (typeof reason === "string") return reason.slice(0, MAX_REASON_CHARS);
  if (reason instanceof Uint8Array) return Buffer.from(reason).toString("utf8").slice(0, MAX_REASON_CHARS);
  return "";
}
