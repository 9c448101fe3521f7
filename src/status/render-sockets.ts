import type { TcpState } from "../sockets/types.js";
import type { GatewaySocketReport } from "./socket-report.js";
import type { PortChoice } from "./gateway-port.js";
import type { ProcessRef } from "./process-names.js";

/** Always shown, in the order a close goes through them; other states only when non-zero. */
const SHOWN_STATES: readonly TcpState[] = ["LISTEN", "ESTABLISHED", "CLOSE_WAIT", "FIN_WAIT_1", "FIN_WAIT_2", "LAST_ACK", "TIME_WAIT"];
const OTHER_STATES: readonly TcpState[] = ["SYN_SENT", "SYN_RECV", "CLOSING", "CLOSE", "UNKNOWN"];

/** Text lines for the operator; the command prints them. */
export function renderSocketReport(report: GatewaySocketReport, port: PortChoice): string[] {
  const lines = [`  gateway port ${report.port} (${port.from})`];
  const { summary } = report;
  if (summary === null) {
    lines.push(`  TCP table: not readable (${report.source}); see the diagnostics below`);
    return lines;
  }
  lines.push(`  TCP table at ${report.at.slice(11, 19)} (${report.source}):`);
  lines.push(`    ${"state".padEnd(12)} ${"gateway".padStart(7)} ${"peer".padStart(6)}`);
  const states = [...SHOWN_STATES, ...OTHER_STATES.filter((s) => summary.gatewaySide[s] + summary.peerSide[s] > 0)];
  for (const state of states) {
    const peer = state === "LISTEN" ? "-" : String(summary.peerSide[state]);
    lines.push(`    ${state.padEnd(12)} ${String(summary.gatewaySide[state]).padStart(7)} ${peer.padStart(6)}`);
  }
  lines.push(`    gateway side: ${describeProcesses(report.gatewayProcesses)}`);
  lines.push(`    peer side:    ${describeProcesses(report.peerProcesses)}`);
  if (report.verdict) {
    lines.push(`  verdict: ${report.verdict.line}`);
    for (const note of report.verdict.notes) lines.push(`    ${note}`);
  }
  return lines;
}

function describeProcesses(processes: readonly ProcessRef[]): string {
  if (processes.length === 0) return "no owning process readable";
  return processes.map((p) => (p.name ? `${p.name} (pid ${p.pid})` : `pid ${p.pid}`)).join(", ");
}
