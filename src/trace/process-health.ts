import { loopDelayOf, memoryOf } from "./describe-event.js";
import { numberField, stringField, type TraceRecord } from "./records.js";
import type { FigureSpread, ProcessEnd, ProcessHealth, TraceProcess } from "./report.js";

/** Samples kept per process for the medians; beyond this every other one is dropped (a day at one a minute is 1,440). */
const MAX_SAMPLES = 20_000;

interface HealthSeries {
  rss: number[];
  heapUsed: number[];
  external: number[];
  loopDelayP99: number[];
  loopDelayMax: number[];
  lastAt: number | undefined;
}

function spreadOf(values: readonly number[]): FigureSpread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { min: sorted[0]!, median, max: sorted.at(-1)!, last: values.at(-1)! };
}

function push(series: number[], value: number): void {
  if (series.length >= MAX_SAMPLES) series.splice(0, series.length, ...series.filter((_, index) => index % 2 === 1));
  series.push(value);
}

/**
 * How each gateway process ended and how its health went, from its `summary`, `exit` and
 * `uncaught` lines and the `unrecorded-end` lines later processes wrote about it. Records of the
 * report's period only; `processes` comes from the whole trace.
 */
export class ProcessHealthTracker {
  private readonly series = new Map<number, HealthSeries>();
  private readonly ends = new Map<number, ProcessEnd>();
  private readonly unrecorded = new Map<number, TraceRecord>();

  observe(record: TraceRecord): void {
    switch (record.ev) {
      case "summary":
        this.sample(record);
        break;
      case "uncaught":
        this.ends.set(record.pid, {
          how: "uncaught",
          at: record.ts,
          code: undefined,
          uptimeMs: undefined,
          error: { origin: stringField(record, "origin"), errorClass: stringField(record, "errorClass"), message: stringField(record, "message"), frame: stringField(record, "frame") },
        });
        break;
      case "exit": {
        const previous = this.ends.get(record.pid);
        this.ends.set(record.pid, { how: previous?.how ?? "exit", at: record.ts, code: numberField(record, "code"), uptimeMs: numberField(record, "uptimeMs"), error: previous?.error });
        break;
      }
      case "unrecorded-end": {
        const endedPid = numberField(record, "endedPid");
        if (endedPid !== undefined) this.unrecorded.set(endedPid, record);
        break;
      }
    }
  }

  /** Fills each process's end, uptime and health. */
  complete(processes: TraceProcess[]): void {
    for (const gatewayProcess of processes) {
      const end = this.endOf(gatewayProcess);
      gatewayProcess.end = end;
      gatewayProcess.uptimeMs = end.uptimeMs ?? (end.at ?? gatewayProcess.lastSeenAt) - gatewayProcess.startedAt;
      gatewayProcess.health = this.healthOf(gatewayProcess.pid);
    }
  }

  private endOf(gatewayProcess: TraceProcess): ProcessEnd {
    const recorded = this.ends.get(gatewayProcess.pid);
    if (recorded !== undefined) return recorded;
    const report = this.unrecorded.get(gatewayProcess.pid);
    if (report !== undefined) {
      return { how: "unrecorded", at: numberField(report, "lastSeen") ?? gatewayProcess.lastSeenAt, code: undefined, uptimeMs: undefined, error: undefined, reportedAt: report.ts };
    }
    return { how: gatewayProcess.ended ? "replaced" : "running", at: gatewayProcess.ended ? gatewayProcess.lastSeenAt : undefined, code: undefined, uptimeMs: undefined, error: undefined };
  }

  private sample(record: TraceRecord): void {
    const memory = memoryOf(record);
    if (memory === undefined) return;
    let series = this.series.get(record.pid);
    if (series === undefined) {
      series = { rss: [], heapUsed: [], external: [], loopDelayP99: [], loopDelayMax: [], lastAt: undefined };
      this.series.set(record.pid, series);
    }
    push(series.rss, memory.rss);
    push(series.heapUsed, memory.heapUsed);
    push(series.external, memory.external);
    const delay = loopDelayOf(record);
    if (delay !== undefined) {
      push(series.loopDelayP99, delay.p99);
      push(series.loopDelayMax, delay.max);
    }
    series.lastAt = record.ts;
  }

  private healthOf(pid: number): ProcessHealth | undefined {
    const series = this.series.get(pid);
    if (series === undefined) return undefined;
    return {
      samples: series.rss.length,
      lastSampleAt: series.lastAt,
      rssBytes: spreadOf(series.rss)!,
      heapUsedBytes: spreadOf(series.heapUsed)!,
      externalBytes: spreadOf(series.external)!,
      loopDelayP99Ms: spreadOf(series.loopDelayP99),
      loopDelayMaxMs: spreadOf(series.loopDelayMax),
    };
  }
}
