import { TOOL_VERSION } from "../core/tool-version.js";
import { formatDuration } from "../trace/format.js";
import type { TraceRecord } from "../trace/records.js";
import type { TraceReport } from "../trace/report.js";
import type { ReportHeader } from "./report-data.js";

function settingValue(name: string, value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return name.endsWith("Ms") ? formatDuration(value) : String(value);
  if (typeof value === "boolean") return value ? "on" : "off";
  if (typeof value === "string") return value;
  return undefined;
}

function objectEntries(value: unknown): [string, unknown][] {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.entries(value) : [];
}

/** The settings a `started` line recorded: fixes, the runtime's configuration and the trace's own. */
function settingsOf(started: TraceRecord | undefined): [string, string][] {
  if (started === undefined) return [];
  const settings: [string, string][] = [];
  if (Array.isArray(started.fixes)) settings.push(["fixes", started.fixes.filter((fix): fix is string => typeof fix === "string").join(", ") || "none"]);
  if (typeof started.node === "string") settings.push(["node", started.node]);
  for (const [group, prefix] of [
    [started.config, ""],
    [started.trace, "trace "],
  ] as const) {
    for (const [name, value] of objectEntries(group)) {
      const text = settingValue(name, value);
      if (text !== undefined) settings.push([`${prefix}${name}`, text]);
    }
  }
  return settings;
}

function distinct(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined))];
}

/** Who and what the report describes, from lines the caller has scrubbed again (rescrub.ts). */
export function reportHeader(records: readonly TraceRecord[], report: TraceReport, install: string, traceFiles: string[], now: number): ReportHeader {
  const lastStarted = records.findLast((record) => record.ev === "started" && record.ts <= (report.to ?? now));
  const inPeriod = report.processes.filter((gatewayProcess) => gatewayProcess.lastSeenAt >= (report.from ?? 0));
  return {
    install,
    releases: distinct(inPeriod.map((gatewayProcess) => gatewayProcess.release)),
    runtimeVersions: distinct(inPeriod.map((gatewayProcess) => gatewayProcess.tool)),
    reportVersion: TOOL_VERSION,
    settings: settingsOf(lastStarted),
    traceFiles,
    from: report.from ?? now,
    to: report.to ?? now,
    generatedAt: now,
  };
}
