import type { TraceProcess } from "../trace/report.js";
import type { MarkerKind, ReportMarker } from "./report-data.js";

function endLabel(gatewayProcess: TraceProcess): string {
  const end = gatewayProcess.end!;
  switch (end.how) {
    case "exit":
      return `pid ${gatewayProcess.pid} exited${end.code === undefined ? "" : ` ${end.code}`}`;
    case "uncaught":
      return `pid ${gatewayProcess.pid}: uncaught ${end.error?.errorClass ?? "exception"}`;
    case "unrecorded":
      return `pid ${gatewayProcess.pid} ended without a record`;
    default:
      return `pid ${gatewayProcess.pid} replaced`;
  }
}

/** Each gateway process's start and end inside `from`–`to`, oldest first; a process still running has no end. */
export function processMarkers(processes: readonly TraceProcess[], from: number, to: number): ReportMarker[] {
  const markers: ReportMarker[] = [];
  for (const gatewayProcess of processes) {
    if (gatewayProcess.startedAt >= from && gatewayProcess.startedAt <= to) {
      markers.push({ at: gatewayProcess.startedAt, kind: "start", pid: gatewayProcess.pid, label: `pid ${gatewayProcess.pid} started` });
    }
    const end = gatewayProcess.end;
    if (end === undefined || end.how === "running" || end.at === undefined || end.at < from || end.at > to) continue;
    markers.push({ at: end.at, kind: end.how satisfies MarkerKind, pid: gatewayProcess.pid, label: endLabel(gatewayProcess) });
  }
  return markers.sort((a, b) => a.at - b.at);
}
