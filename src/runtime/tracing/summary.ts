import { readdir } from "node:fs/promises";
import { sharedState } from "../shared-state.js";
import { monotonicNow } from "../timers.js";
import type { RuntimeEvent, SocketCounts } from "./events.js";
import { readProperty } from "../ws-shapes.js";
import type { HealthSampler } from "./health.js";

/** A corrupt registry must not turn the periodic summary into a long loop. */
const MAX_SOCKETS_SCANNED = 1_000_000;
const READY_STATE_NAMES: readonly (keyof SocketCounts)[] = ["connecting", "open", "closing", "closed"];
const CLOSING = 2;

export interface WriterCounters {
  droppedLines: number;
  failedWrites: number;
}

let procFdReadable = true;

/** Open descriptors from `/proc/self/fd` (Linux); a leak of sockets shows up here first. */
async function openFileCount(): Promise<number | undefined> {
  if (!procFdReadable) return undefined;
  try {
    // The listing includes the descriptor readdir itself holds open.
    return Math.max((await readdir("/proc/self/fd")).length - 1, 0);
  } catch {
    procFdReadable = false;
    return undefined;
  }
}

/** The sockets by state with their buffered bytes, and the process's health when a sampler is given. */
export async function summaryEvent(counters: WriterCounters, health?: HealthSampler): Promise<RuntimeEvent> {
  const sockets: SocketCounts = { connecting: 0, open: 0, closing: 0, closed: 0 };
  let oldestClosingMs: number | undefined;
  let bufferedBytes = 0;
  let scanned = 0;
  const now = monotonicNow();
  for (const guarded of sharedState().liveSockets) {
    if (++scanned > MAX_SOCKETS_SCANNED) break;
    const state = READY_STATE_NAMES[guarded.socket.readyState];
    if (state !== undefined) sockets[state] += 1;
    if (guarded.socket.readyState === CLOSING) {
      // A close the observer did not see (tracing started later) is aged from the first summary that sees it.
      guarded.closingSince ??= now;
      oldestClosingMs = Math.max(oldestClosingMs ?? 0, Math.round(now - guarded.closingSince));
    }
    const buffered = readProperty(guarded.socket, "bufferedAmount");
    if (typeof buffered === "number" && Number.isFinite(buffered)) bufferedBytes += buffered;
  }
  return {
    type: "summary",
    sockets,
    oldestClosingMs,
    bufferedBytes,
    openFiles: await openFileCount(),
    droppedLines: counters.droppedLines,
    failedWrites: counters.failedWrites,
    health: health?.sample(),
  };
}
