import { formatBytes, formatDateTime, formatDuration, plural } from "./format.js";
import type { FigureSpread, ProcessEnd, TraceProcess, TraceReport } from "./report.js";

function endLine(end: ProcessEnd): string {
  const at = end.at === undefined ? "" : ` ${formatDateTime(end.at)}`;
  const code = end.code === undefined ? "" : `, exit code ${end.code}`;
  switch (end.how) {
    case "exit":
      return `ended${at}: exited${code}`;
    case "uncaught": {
      const error = end.error;
      const what = `${error?.errorClass ?? "error"}${error?.message ? ` "${error.message}"` : ""}${error?.frame ? ` at ${error.frame}` : ""}`;
      return `ended${at}: uncaught ${error?.origin === "unhandledRejection" ? "rejection" : "exception"} ${what}${code}`;
    }
    case "unrecorded":
      return `ended without a record (killed, out of memory or a native crash), last seen${at}`;
    case "replaced":
      return `replaced by a later process; its end was not recorded (a runtime without end records)`;
    case "running":
      return "no end recorded: running, or ended since the last line";
  }
}

/** Loop delays are mostly below a millisecond: one decimal there, the usual units above a second. */
function formatDelay(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms * 10) / 10} ms` : formatDuration(ms);
}

function spread(values: FigureSpread, format: (value: number) => string): string {
  return `${format(values.min)} / ${format(values.median)} / ${format(values.max)}, last ${format(values.last)}`;
}

/** Two or three lines under each process: how it ended, its uptime, its memory and event-loop delay. */
export function renderProcessDetail(gatewayProcess: TraceProcess): string[] {
  const lines: string[] = [];
  const uptime = gatewayProcess.uptimeMs === undefined ? "" : `, up ${formatDuration(gatewayProcess.uptimeMs)}`;
  if (gatewayProcess.end !== undefined) lines.push(`    ${endLine(gatewayProcess.end)}${uptime}`);
  const health = gatewayProcess.health;
  if (health !== undefined) {
    lines.push(`    memory (min / median / max over ${plural(health.samples, "sample")}): rss ${spread(health.rssBytes, formatBytes)}; heap used ${spread(health.heapUsedBytes, formatBytes)}`);
    if (health.loopDelayP99Ms !== undefined && health.loopDelayMaxMs !== undefined) {
      lines.push(`    event-loop delay per sample: p99 ${spread(health.loopDelayP99Ms, formatDelay)}; max ${spread(health.loopDelayMaxMs, formatDelay)}`);
    }
  }
  return lines;
}

/** `restarts: 3 (2 after an end without a record, 1 after an uncaught exception)`, or nothing without restarts. */
export function renderRestarts(report: TraceReport): string[] {
  const { count, afterUnrecordedEnd, afterUncaught } = report.restarts;
  if (count === 0) return [];
  const causes = [afterUnrecordedEnd > 0 ? `${afterUnrecordedEnd} after an end without a record` : "", afterUncaught > 0 ? `${afterUncaught} after an uncaught exception` : ""].filter(Boolean);
  return [`  restarts: ${count}${causes.length > 0 ? ` (${causes.join(", ")})` : ""}`];
}
