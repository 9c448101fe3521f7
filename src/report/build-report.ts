import { fail } from "../core/diagnostics.js";
import type { TraceContents } from "../trace/read-trace.js";
import { renderTraceReport } from "../trace/render-report.js";
import { summariseTrace } from "../trace/summarise.js";
import { chartSeries } from "./chart-series.js";
import type { ReportData } from "./report-data.js";
import { reportHeader } from "./report-header.js";
import { rescrubbed } from "./rescrub.js";
import { processMarkers } from "./report-markers.js";
import { timeBuckets } from "./time-buckets.js";

export interface ReportOptions {
  /** Only lines at or after this epoch ms are charted and counted. */
  since?: number | undefined;
  /** The label the header names the install by. */
  install: string;
  now: number;
}

export interface BuiltReport {
  data: ReportData;
  /** The text report of `openclaw-patch trace`, shown below the charts. */
  tables: string[];
}

/** The report's data from a read trace; pure. A period without a line is an error: there is nothing to draw. */
export function buildReport(read: TraceContents, options: ReportOptions): BuiltReport {
  const contents = { ...read, records: read.records.map(rescrubbed) };
  const report = summariseTrace(contents.records, { since: options.since });
  if (report.from === undefined || report.to === undefined) {
    fail(
      "OCP_REPORT_NO_EVENTS",
      options.since === undefined ? `the trace ${contents.file} holds no events` : `the trace ${contents.file} holds no events since ${new Date(options.since).toISOString()}`,
      options.since === undefined ? "let the patched gateway run with tracing on, then try again; openclaw-patch trace shows what the file holds" : "choose an earlier --since, or leave it out",
      { file: contents.file },
    );
  }
  const records = options.since === undefined ? contents.records : contents.records.filter((record) => record.ts >= options.since!);
  const buckets = timeBuckets(report.from, report.to);
  const x = Array.from({ length: buckets.count }, (_, index) => (buckets.start + index * buckets.widthMs) / 1_000);
  return {
    data: {
      header: reportHeader(contents.records, report, options.install, contents.files, options.now),
      bucketMs: buckets.widthMs,
      x,
      charts: chartSeries(records, buckets),
      markers: processMarkers(report.processes, report.from, report.to),
    },
    tables: renderTraceReport(contents, report),
  };
}
