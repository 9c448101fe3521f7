import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

/** Memory of the gateway process, in bytes, as `process.memoryUsage()` reports it. */
export interface MemoryFigures {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** Event-loop delay since the previous sample, in milliseconds; absent before the first delay was measured. */
export interface LoopDelayFigures {
  p50: number;
  p99: number;
  max: number;
}

export interface HealthFigures {
  memory: MemoryFigures;
  loopDelayMs: LoopDelayFigures | undefined;
  /** Handles and requests keeping the loop alive (sockets, servers, timers, file operations). */
  activeResources: number | undefined;
  /** Seconds since the process started. */
  uptimeS: number;
}

/**
 * The histogram's timer fires every this many milliseconds; coarser costs fewer wake-ups of an idle
 * gateway and still resolves the delays that matter (tens of milliseconds and up).
 */
const LOOP_DELAY_RESOLUTION_MS = 20;
const NS_PER_MS = 1e6;

/** The histogram records the time between its timer's runs; the delay is what exceeds the resolution. */
function delayMs(nanoseconds: number): number {
  return Math.max(Math.round((nanoseconds / NS_PER_MS - LOOP_DELAY_RESOLUTION_MS) * 10) / 10, 0);
}

/**
 * Samples the process's health once per summary. Everything here is read from Node's own counters
 * in microseconds, once per summary interval, so nothing is added per connection. The delay
 * histogram is reset at each sample, so its figures describe the interval since the previous one.
 */
export class HealthSampler {
  private readonly loopDelay: IntervalHistogram | undefined;

  constructor() {
    let histogram: IntervalHistogram | undefined;
    try {
      histogram = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
      histogram.enable();
    } catch {
      histogram = undefined;
    }
    this.loopDelay = histogram;
  }

  sample(): HealthFigures {
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    return { memory: { rss, heapUsed, heapTotal, external, arrayBuffers }, loopDelayMs: this.takeLoopDelay(), activeResources: activeResourceCount(), uptimeS: Math.round(process.uptime()) };
  }

  stop(): void {
    this.loopDelay?.disable();
  }

  private takeLoopDelay(): LoopDelayFigures | undefined {
    const histogram = this.loopDelay;
    if (histogram === undefined || histogram.count === 0) return undefined;
    const figures = { p50: delayMs(histogram.percentile(50)), p99: delayMs(histogram.percentile(99)), max: delayMs(histogram.max) };
    histogram.reset();
    return figures;
  }
}

/** `process.getActiveResourcesInfo` exists from Node 17; the runtime may run in older ones. */
function activeResourceCount(): number | undefined {
  const info = (process as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo;
  if (typeof info !== "function") return undefined;
  try {
    return info.call(process).length;
  } catch {
    return undefined;
  }
}
