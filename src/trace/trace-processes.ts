import { stringField, type TraceRecord } from "./records.js";
import type { TraceProcess } from "./report.js";

export function isCliRecord(record: TraceRecord): boolean {
  return record.source === "cli";
}

/** The gateway processes that wrote the trace, oldest first; the CLI's own lines are not a gateway. */
export function processesOf(records: readonly TraceRecord[]): TraceProcess[] {
  const byPid = new Map<number, TraceProcess>();
  for (const record of records) {
    if (isCliRecord(record)) continue;
    let gatewayProcess = byPid.get(record.pid);
    if (gatewayProcess === undefined) {
      gatewayProcess = { pid: record.pid, startedAt: record.ts, lastSeenAt: record.ts, tool: undefined, release: undefined, level: undefined, ended: false };
      byPid.set(record.pid, gatewayProcess);
    }
    gatewayProcess.lastSeenAt = Math.max(gatewayProcess.lastSeenAt, record.ts);
    if (record.ev === "started") {
      gatewayProcess.startedAt = record.ts;
      gatewayProcess.tool = stringField(record, "tool");
      gatewayProcess.release = stringField(record, "release");
      gatewayProcess.level = stringField(record, "level");
    }
  }
  const processes = [...byPid.values()].sort((a, b) => a.startedAt - b.startedAt);
  for (const gatewayProcess of processes) gatewayProcess.ended = processes.some((other) => other.startedAt > gatewayProcess.startedAt);
  return processes;
}
