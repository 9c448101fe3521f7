import { formatBytes, formatClock, formatDuration } from "./format.js";
import { numberField, stringField, type TraceRecord } from "./records.js";

/** Connections whose open time is remembered for "after 31.2 s"; the oldest are forgotten first. */
const MAX_TRACKED_CONNECTIONS = 100_000;
const FIELDS_OF_EVERY_LINE = new Set(["ts", "pid", "ev", "source"]);

function quoted(reason: string | undefined): string {
  return reason ? ` "${reason}"` : "";
}

/**
 * One human line per trace record, e.g. `12:03:01.123 conn 17 terminated by heartbeat after 31.2 s`.
 * Remembers open times, so lines about a connection can say how long it lived.
 */
export class EventDescriber {
  private readonly openedAt = new Map<string, number>();

  /** Lets lines read before following (the existing file) seed the open times. */
  remember(record: TraceRecord): void {
    const conn = numberField(record, "conn");
    if (conn === undefined) return;
    const key = `${record.pid}:${conn}`;
    if (record.ev === "open") {
      this.openedAt.set(key, record.ts);
      if (this.openedAt.size > MAX_TRACKED_CONNECTIONS) this.openedAt.delete(this.openedAt.keys().next().value!);
    }
  }

  describe(record: TraceRecord): string {
    this.remember(record);
    const text = `${formatClock(record.ts)} ${this.body(record)}`;
    if (record.ev === "closed") this.openedAt.delete(`${record.pid}:${numberField(record, "conn")}`);
    return text;
  }

  private lifetime(record: TraceRecord): string {
    const conn = numberField(record, "conn");
    const durationMs = record.ev === "closed" ? numberField(record, "durationMs") : undefined;
    const openedAt = conn === undefined ? undefined : this.openedAt.get(`${record.pid}:${conn}`);
    const ms = durationMs ?? (openedAt === undefined ? undefined : record.ts - openedAt);
    return ms === undefined ? "" : ` after ${formatDuration(ms)}`;
  }

  private body(record: TraceRecord): string {
    const conn = numberField(record, "conn");
    const subject = conn === undefined ? "connection" : `conn ${conn}`;
    const code = numberField(record, "code");
    const reason = stringField(record, "reason");
    switch (record.ev) {
      case "started":
        return `gateway pid ${record.pid} started: OpenClaw ${stringField(record, "release") ?? "?"}, openclaw-patch ${stringField(record, "tool") ?? "?"}, trace ${stringField(record, "level") ?? "?"}`;
      case "attach":
        return `pid ${record.pid} loaded ${stringField(record, "chunk") ?? "a patched chunk"}`;
      case "open": {
        const peer = stringField(record, "peer");
        const port = numberField(record, "port");
        const from = peer === undefined ? "" : ` from ${peer}${port === undefined ? "" : `:${port}`}`;
        return `${subject} opened${from} (${stringField(record, "server") ?? "gateway"})`;
      }
      case "auth": {
        const labels = ["role", "client", "version", "platform"].map((name) => stringField(record, name)).filter((label) => label !== undefined);
        return `${subject} authenticated${labels.length > 0 ? `: ${labels.join(" ")}` : ""}`;
      }
      case "close-start": {
        const cause = stringField(record, "cause");
        return `${subject} close started by ${stringField(record, "by") ?? "gateway"}${code === undefined ? "" : `: ${code}`}${quoted(reason)}${cause ? ` (${cause})` : ""}${this.lifetime(record)}`;
      }
      case "close-frame":
        return `${subject} close frame from the peer${code === undefined ? "" : `: ${code}`}${quoted(reason)}${record.reply === true ? " (answering ours)" : ""}`;
      case "peer-fin":
        return `${subject} peer sent FIN${this.lifetime(record)}`;
      case "error":
        return `${subject} error: ${stringField(record, "message") ?? ""}`;
      case "heartbeat-missed":
        return `${subject} missed the pong of ${stringField(record, "ping") === "release" ? "the release's" : "our"} ping (waited ${formatDuration(numberField(record, "waitedMs") ?? Number.NaN)})`;
      case "terminated": {
        const buffered = numberField(record, "bufferedAmount");
        const reset = record.reset === true;
        const unsent = buffered !== undefined && buffered > 0 ? `, ${formatBytes(buffered)} ${reset ? "discarded" : "unsent"}` : "";
        const how = reset ? ", reset" : record.reset === false ? ", closed gracefully" : "";
        return `${subject} terminated by ${stringField(record, "mechanism") ?? "?"}${how}${this.lifetime(record)}${unsent}`;
      }
      case "closed":
        return `${subject} closed${code === undefined ? "" : ` ${code}`}${this.lifetime(record)}`;
      case "shutdown": {
        const graceMs = numberField(record, "graceMs");
        return `${stringField(record, "server") ?? "gateway"} shutdown: ${numberField(record, "remaining") ?? "?"} clients left${graceMs === undefined ? "" : `, grace ${formatDuration(graceMs)}`}`;
      }
      case "stall":
        return `event loop stalled for ${formatDuration(numberField(record, "ms") ?? Number.NaN)}`;
      case "summary":
        return `summary: ${describeSummary(record)}`;
      case "ping":
        return `${subject} ping (${stringField(record, "source") ?? "?"})`;
      case "pong": {
        const waitedMs = numberField(record, "waitedMs");
        return `${subject} pong${waitedMs === undefined ? "" : ` after ${formatDuration(waitedMs)}`}`;
      }
      default:
        return `${record.ev}${describeOtherFields(record)}`;
    }
  }
}

/** The summary's `memory`, when its runtime sampled it and every figure is a number. */
export function memoryOf(record: TraceRecord): { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number } | undefined {
  const memory = objectField(record, "memory");
  if (memory === undefined) return undefined;
  const [rss, heapUsed, heapTotal, external, arrayBuffers] = ["rss", "heapUsed", "heapTotal", "external", "arrayBuffers"].map((name) => numberField(memory, name));
  if (rss === undefined || heapUsed === undefined || heapTotal === undefined) return undefined;
  return { rss, heapUsed, heapTotal, external: external ?? 0, arrayBuffers: arrayBuffers ?? 0 };
}

/** The summary's event-loop delay since the previous summary, in milliseconds. */
export function loopDelayOf(record: TraceRecord): { p50: number; p99: number; max: number } | undefined {
  const delay = objectField(record, "loopDelayMs");
  if (delay === undefined) return undefined;
  const [p50, p99, max] = ["p50", "p99", "max"].map((name) => numberField(delay, name));
  return p50 === undefined || p99 === undefined || max === undefined ? undefined : { p50, p99, max };
}

/** How many of the summary's sockets were in this ready state (`open`, `closing`, …). */
export function socketCountOf(record: TraceRecord, state: string): number | undefined {
  const sockets = objectField(record, "sockets");
  return sockets === undefined ? undefined : numberField(sockets, state);
}

function objectField(record: TraceRecord, name: string): TraceRecord | undefined {
  const value = record[name];
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as TraceRecord) : undefined;
}

/** `12 open, 1 closing (oldest 1.8 s), 0 B buffered, 87 open files`. */
export function describeSummary(record: TraceRecord): string {
  const count = (state: string): number => socketCountOf(record, state) ?? 0;
  const oldestClosingMs = numberField(record, "oldestClosingMs");
  const openFiles = numberField(record, "openFiles");
  const dropped = numberField(record, "dropped") ?? 0;
  const parts = [
    `${count("open")} open`,
    `${count("closing")} closing${oldestClosingMs === undefined ? "" : ` (oldest ${formatDuration(oldestClosingMs)})`}`,
    `${formatBytes(numberField(record, "bufferedBytes") ?? 0)} buffered`,
  ];
  if (openFiles !== undefined) parts.push(`${openFiles} open files`);
  const memory = memoryOf(record);
  if (memory !== undefined) parts.push(`rss ${formatBytes(memory.rss)}, heap ${formatBytes(memory.heapUsed)} of ${formatBytes(memory.heapTotal)}`);
  const loopDelay = loopDelayOf(record);
  if (loopDelay !== undefined) parts.push(`loop delay p99 ${formatDuration(loopDelay.p99)} max ${formatDuration(loopDelay.max)}`);
  if (dropped > 0) parts.push(`${dropped} trace lines dropped`);
  return parts.join(", ");
}

function describeOtherFields(record: TraceRecord): string {
  const fields = Object.entries(record)
    .filter(([name]) => !FIELDS_OF_EVERY_LINE.has(name))
    .map(([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  return fields.length > 0 ? `: ${fields.join(" ")}` : "";
}
