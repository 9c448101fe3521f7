import { loopDelayOf, memoryOf, socketCountOf } from "../trace/describe-event.js";
import { numberField, stringField, type TraceRecord } from "../trace/records.js";
import type { ChartData } from "./report-data.js";
import { bucketIndex, bucketName, type TimeBuckets } from "./time-buckets.js";

/**
 * A sampled figure per bucket: each process's largest sample in the bucket (a spike survives the
 * downsampling), summed over the processes that sampled in it (two gateways writing one trace
 * each hold their own sockets and memory).
 */
class GaugeSeries {
  private readonly byPid = new Map<number, (number | null)[]>();

  constructor(
    readonly label: string,
    private readonly count: number,
  ) {}

  add(pid: number, index: number, value: number): void {
    let values = this.byPid.get(pid);
    if (values === undefined) {
      values = new Array<number | null>(this.count).fill(null);
      this.byPid.set(pid, values);
    }
    const previous = values[index];
    values[index] = previous === null || previous === undefined ? value : Math.max(previous, value);
  }

  values(): (number | null)[] {
    const summed = new Array<number | null>(this.count).fill(null);
    for (const values of this.byPid.values()) {
      values.forEach((value, index) => {
        if (value !== null) summed[index] = (summed[index] ?? 0) + value;
      });
    }
    return summed;
  }
}

class CountSeries {
  readonly values: number[];

  constructor(
    readonly label: string,
    count: number,
  ) {
    this.values = new Array<number>(count).fill(0);
  }
}

/**
 * The five charts of the report from the period's trace lines, downsampled into `buckets` in one
 * pass: sockets by state, sockets each fix reclaimed, memory, event-loop delay and stalls.
 */
export function chartSeries(records: readonly TraceRecord[], buckets: TimeBuckets): ChartData[] {
  const gauge = (label: string): GaugeSeries => new GaugeSeries(label, buckets.count);
  const sockets = [gauge("open"), gauge("closing")];
  const memory = [gauge("resident (rss)"), gauge("heap used"), gauge("heap total")];
  const delay = [gauge("p50"), gauge("p99"), gauge("max")];
  const reclaimed = new Map<string, CountSeries>();
  const stalls = new CountSeries("stalls", buckets.count);
  let summaries = 0;
  let healthSamples = 0;

  for (const record of records) {
    const index = bucketIndex(buckets, record.ts);
    switch (record.ev) {
      case "summary": {
        summaries += 1;
        const open = socketCountOf(record, "open");
        const closing = socketCountOf(record, "closing");
        if (open !== undefined) sockets[0]!.add(record.pid, index, open);
        if (closing !== undefined) sockets[1]!.add(record.pid, index, closing);
        const figures = memoryOf(record);
        if (figures !== undefined) {
          healthSamples += 1;
          memory[0]!.add(record.pid, index, figures.rss);
          memory[1]!.add(record.pid, index, figures.heapUsed);
          memory[2]!.add(record.pid, index, figures.heapTotal);
        }
        const loopDelay = loopDelayOf(record);
        if (loopDelay !== undefined) {
          delay[0]!.add(record.pid, index, loopDelay.p50);
          delay[1]!.add(record.pid, index, loopDelay.p99);
          delay[2]!.add(record.pid, index, loopDelay.max);
        }
        break;
      }
      case "terminated": {
        const mechanism = stringField(record, "mechanism") ?? "unknown";
        let series = reclaimed.get(mechanism);
        if (series === undefined) {
          series = new CountSeries(mechanism, buckets.count);
          reclaimed.set(mechanism, series);
        }
        series.values[index]! += 1;
        break;
      }
      case "stall":
        if (numberField(record, "ms") !== undefined) stalls.values[index]! += 1;
        break;
    }
  }

  const per = bucketName(buckets.widthMs);
  const noSummaries = summaries === 0 ? "no summary lines in this period: the gateway writes one every OPENCLAW_PATCH_SUMMARY_MS (default a minute)" : undefined;
  const noHealth = noSummaries ?? (healthSamples === 0 ? "the runtime that wrote this trace predates health samples: re-apply with this openclaw-patch" : undefined);
  const gauges = (series: GaugeSeries[]) => series.map((one) => ({ label: one.label, values: one.values() }));
  const reclaimedSeries = [...reclaimed.values()].sort((a, b) => a.label.localeCompare(b.label));
  return [
    { id: "sockets", title: "Sockets by state", unit: "count", kind: "gauge", series: gauges(sockets), ...(noSummaries ? { note: noSummaries } : {}) },
    {
      id: "reclaimed",
      title: `Sockets reclaimed per ${per}, by fix`,
      unit: "count",
      kind: "count",
      series: reclaimedSeries.length > 0 ? reclaimedSeries.map((one) => ({ label: one.label, values: one.values })) : [{ label: "none reclaimed", values: new Array<number>(buckets.count).fill(0) }],
    },
    { id: "memory", title: "Memory", unit: "bytes", kind: "gauge", series: gauges(memory), ...(noHealth ? { note: noHealth } : {}) },
    { id: "loop-delay", title: "Event-loop delay since the previous sample", unit: "ms", kind: "gauge", series: gauges(delay), ...(noHealth ? { note: noHealth } : {}) },
    { id: "stalls", title: `Event-loop stalls per ${per}`, unit: "count", kind: "count", series: [{ label: stalls.label, values: stalls.values }] },
  ];
}
