import type { Diagnostic } from "../core/diagnostics.js";
import type { InstallState } from "../core/install-state.js";
import { isPartialTable, readTcpTable } from "../sockets/read-table.js";
import type { ProcessRunner } from "../core/run-process.js";
import { summarizeGatewaySockets, verdict, type FixStatus, type GatewaySocketSummary, type Verdict } from "../sockets/summary.js";
import { processRefs, type ProcessRef } from "./process-names.js";

/** One look at the gateway port in the kernel's TCP table. */
export interface GatewaySocketReport {
  /** ISO time of the read, so watch frames and JSON lines can be told apart. */
  at: string;
  port: number;
  /** Files read or commands run. */
  source: string;
  /** null when the table could not be read at all (see diagnostics). */
  summary: GatewaySocketSummary | null;
  gatewayProcesses: ProcessRef[];
  peerProcesses: ProcessRef[];
  verdict: Verdict | null;
  fixApplied: FixStatus;
  diagnostics: Diagnostic[];
}

export interface SocketReportInput {
  port: number;
  fixApplied: FixStatus;
  platform: NodeJS.Platform;
  /** Injected by tests: a recorded netstat, a fixture /proc. */
  run?: ProcessRunner;
  procRoot?: string;
}

/** What the verdict says about the fix follows from the install state. */
export function fixStatusOf(state: InstallState): FixStatus {
  if (state === "patched") return true;
  if (state === "partly-patched") return "partial";
  return false;
}

/** Never throws: a platform without a readable table gives diagnostics and no counts. */
export async function readGatewaySockets(input: SocketReportInput): Promise<GatewaySocketReport> {
  const table = await readTcpTable({
    platform: input.platform,
    ...(input.run === undefined ? {} : { run: input.run }),
    ...(input.procRoot === undefined ? {} : { procRoot: input.procRoot }),
  });
  const at = new Date().toISOString();
  const unreadable = table.entries.length === 0 && table.diagnostics.some((d) => d.severity === "error");
  if (unreadable) {
    return { at, port: input.port, source: table.source, summary: null, gatewayProcesses: [], peerProcesses: [], verdict: null, fixApplied: input.fixApplied, diagnostics: table.diagnostics };
  }
  const summary = summarizeGatewaySockets(table.entries, { port: input.port });
  const names = { platform: input.platform, ...(input.procRoot === undefined ? {} : { procRoot: input.procRoot }) };
  return {
    at,
    port: input.port,
    source: table.source,
    summary,
    gatewayProcesses: processRefs(summary.gatewayPids, table.entries, names),
    peerProcesses: processRefs(summary.peerPids, table.entries, names),
    verdict: verdict(summary, { fixApplied: input.fixApplied, partialTable: isPartialTable(table) }),
    fixApplied: input.fixApplied,
    diagnostics: table.diagnostics,
  };
}
