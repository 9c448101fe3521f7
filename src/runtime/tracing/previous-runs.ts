import fs from "node:fs";
import { performance } from "node:perf_hooks";
import type { LastSample, RuntimeEvent } from "./events.js";
import { rotatedTracePaths } from "./file.js";
import { processAlive } from "../../core/process-alive.js";
import { parseTraceLine, type TraceRecord } from "../../trace/records.js";

/**
 * How much of the trace's end is read at start to find the previous processes: a minute of a busy
 * gateway's lines and more, read once per gateway start, off the event loop.
 */
const TAIL_BYTES = 1024 * 1024;
/** A trace full of killed processes is reported a few at a time, newest first. */
const MAX_REPORTED = 8;
/** The figures of a summary line that describe the process, copied into the report of its end. */
const SAMPLE_FIELDS = ["sockets", "bufferedBytes", "openFiles", "memory", "loopDelayMs", "activeResources", "uptimeS"] as const;

interface ProcessSeen {
  pid: number;
  startedAt: number | undefined;
  lastSeen: number;
  /** Its runtime writes an `exit` line on an orderly end, so a missing one means something. */
  recordsEnds: boolean;
  ended: boolean;
  lastSample: LastSample | undefined;
}

/**
 * The gateway processes of this trace that ended without a record: their runtime writes `exit` when
 * they end in order, and neither that line nor an earlier report of their end is there, and they are
 * no longer running. A process whose pid a new process took is taken as running, and not reported.
 */
export async function unrecordedEnds(file: string): Promise<RuntimeEvent[]> {
  const text = await traceTail(file);
  const ownStart = performance.timeOrigin;
  const seen = new Map<number, ProcessSeen>();
  for (const line of text.split("\n")) {
    const { record } = parseTraceLine(line);
    if (record === undefined || record.source === "cli") continue;
    const { pid, ts, ev } = record;
    if (ev === "unrecorded-end") {
      const ended = seen.get(record.endedPid as number);
      if (ended !== undefined && ended.lastSeen <= (record.lastSeen as number)) ended.ended = true;
    }
    if (pid === process.pid && ts >= ownStart) continue;
    let entry = seen.get(pid);
    if (entry === undefined || ev === "started") {
      entry = { pid, startedAt: undefined, lastSeen: ts, recordsEnds: false, ended: false, lastSample: undefined };
      seen.set(pid, entry);
    }
    entry.lastSeen = Math.max(entry.lastSeen, ts);
    if (ev === "started") {
      entry.startedAt = ts;
      entry.recordsEnds = record.endRecords === true;
    } else if (ev === "summary" && typeof record.memory === "object") {
      entry.recordsEnds = true;
      entry.lastSample = sampleOf(record);
    } else if (ev === "exit") {
      entry.ended = true;
    }
  }
  return [...seen.values()]
    .filter((entry) => entry.recordsEnds && !entry.ended && !isRunning(entry.pid))
    .sort((a, b) => b.lastSeen - a.lastSeen)
    .slice(0, MAX_REPORTED)
    .map((entry) => ({ type: "unrecordedEnd", endedPid: entry.pid, startedAt: entry.startedAt, lastSeen: entry.lastSeen, lastSample: entry.lastSample }));
}

/** The last TAIL_BYTES of the trace, reaching into the newest rotated copy when the file is shorter. */
async function traceTail(file: string): Promise<string> {
  const live = await tailOf(file, TAIL_BYTES);
  if (live.bytes >= TAIL_BYTES) return live.text;
  const rotated = await tailOf(rotatedTracePaths(file)[0]!, TAIL_BYTES - live.bytes);
  return `${rotated.text}\n${live.text}`;
}

async function tailOf(file: string, maxBytes: number): Promise<{ text: string; bytes: number }> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, "r");
  } catch {
    return { text: "", bytes: 0 };
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString("utf8");
    // A read that starts mid-file starts mid-line: that first piece is not a line.
    return { text: length < size ? text.slice(text.indexOf("\n") + 1) : text, bytes: length };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function sampleOf(record: TraceRecord): LastSample {
  const sample: LastSample = { ts: record.ts };
  for (const field of SAMPLE_FIELDS) if (record[field] !== undefined) sample[field] = record[field];
  return sample;
}

/** Our own pid in an older line is a previous process (a container restarts with the same pid). */
function isRunning(pid: number): boolean {
  return pid !== process.pid && processAlive(pid);
}
