// A fresh gateway keeps working for a while after it listens (deferred start-up tasks), and under
// valgrind for much longer. Measuring inside that window charged its work to whichever variant
// happened to be measured then: per-round throughput ratios ranged 0.72–1.33, and instruction
// counts of one release ranged 6.3–6.8 million per connection.
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** utime + stime in milliseconds from a /proc stat file (clock ticks of 10 ms). */
function statCpuMs(file: string): number {
  const stat = readFileSync(file, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A process's CPU time in milliseconds, all its threads together. */
export function cpuTimeMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/**
 * The main thread's alone (its thread id is the process id): the rest of a Node process's CPU is
 * V8's worker threads (garbage collection, compilation) and libuv's pool.
 */
export function mainThreadCpuTimeMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

export interface QuietOptions {
  /** The process counts as quiet once it used at most this share of one core over `windowMs`. */
  maxShare: number;
  windowMs: number;
  timeoutMs: number;
}

/** Waits until the process is quiet; returns false if it never was within the timeout. */
export async function waitUntilQuiet(pid: number, options: QuietOptions): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    const before = cpuTimeMs(pid);
    await sleep(options.windowMs);
    if (cpuTimeMs(pid) - before <= options.windowMs * options.maxShare) return true;
  }
  return false;
}
