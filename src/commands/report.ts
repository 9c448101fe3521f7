import type { CommandIO } from "../cli/io.js";
import { printJson } from "../cli/io.js";
import { fail } from "../core/diagnostics.js";
import { buildReport } from "../report/build-report.js";
import { readPageAssets } from "../report/page-assets.js";
import { bucketName } from "../report/time-buckets.js";
import { renderReportHtml } from "../report/render-html.js";
import { writeReportHtml } from "../report/write-html.js";
import { formatBytes, formatDateTime, formatDuration } from "../trace/format.js";
import { namedTracePath, readTraces } from "../trace/read-trace.js";
import { traceInstall } from "../trace/trace-install.js";
import { parseOptions } from "./shared/option-schema.js";
import { REPORT_OPTIONS } from "./shared/option-tables.js";

export interface ReportCommandOptions {
  html?: string;
  since?: string;
  install?: string;
  json?: boolean;
}

/**
 * `openclaw-patch report [TRACE...] --html FILE`: the trace (with its rotated files) charted in one
 * self-contained HTML file. TRACE defaults to the runtime's path rules under this process's env.
 */
export async function reportCommand(traces: readonly string[], options: ReportCommandOptions, io: CommandIO): Promise<void> {
  const { html, since, install: installOption } = parseOptions(REPORT_OPTIONS, options);
  if (html === undefined) fail("OCP_BAD_OPTION", "report needs --html FILE: where to write the page", "for example openclaw-patch report --html gateway-report.html");
  const [first, ...more] = traces.filter((trace) => trace.trim() !== "");
  const tracePaths: [string, ...string[]] = [namedTracePath(first), ...more.map(namedTracePath)];
  const contents = readTraces(tracePaths);
  const install = installOption ?? traceInstall(tracePaths[0]);
  const assets = readPageAssets();
  const { data, tables } = buildReport(contents, { since, install, now: Date.now() });
  const page = renderReportHtml(data, tables, assets);
  const written = await writeReportHtml(html, page);
  const bytes = Buffer.byteLength(page);
  if (options.json ?? io.json) {
    printJson(io, {
      command: "report",
      html: written,
      bytes,
      traceFiles: contents.files,
      from: data.header.from,
      to: data.header.to,
      bucketMs: data.bucketMs,
      points: data.x.length,
      charts: data.charts.map((chart) => ({ id: chart.id, series: chart.series.map((one) => ({ label: one.label, samples: one.values.filter((value) => value !== null).length })), note: chart.note })),
      markers: data.markers,
    });
    return;
  }
  io.out(`wrote ${written} (${formatBytes(bytes)})`);
  io.out(`  ${formatDateTime(data.header.from)} → ${formatDateTime(data.header.to)} (${formatDuration(data.header.to - data.header.from)}), ${data.x.length} points of ${bucketName(data.bucketMs)}, ${data.markers.length} process starts and ends`);
  for (const chart of data.charts) if (chart.note !== undefined) io.out(`  ${chart.title}: ${chart.note}`);
}
