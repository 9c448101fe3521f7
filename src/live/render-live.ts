import { describeEnd } from "../sockets/socket-end.js";
import type { KernelTrail, LiveProbeResult } from "./live-check.js";
import type { LiveVerifyReport } from "./live-verify.js";

const seconds = (ms: number | null): string => (ms === null ? "-" : `${(ms / 1000).toFixed(1)} s`);

/** Text lines for `verify --live`; the command prints them. */
export function renderLiveReport(report: LiveVerifyReport): string[] {
  const { check, settings } = report;
  const lines = [
    `  live check against ${check.host}:${check.port} (port from ${report.port.from})`,
    `  install state: ${report.installState}${report.promise === "fixes-not-installed" ? " — held to the bound the fixes would give" : ""}`,
    `  handshake timeout ${settings.handshakeTimeoutMs.ms} ms: ${settings.handshakeTimeoutMs.source}`,
    `  heartbeat ${settings.heartbeatMs.ms} ms (${settings.heartbeatMs.source}), pong timeout ${settings.pongTimeoutMs.ms} ms (${settings.pongTimeoutMs.source}), close grace ${settings.closeGraceMs.ms} ms (${settings.closeGraceMs.source})`,
  ];
  for (const probe of check.probes) lines.push(...renderProbe(probe));
  lines.push(report.ok ? "  live check passed" : "  live check FAILED");
  // An orphan means the running gateway did run the fix (it let go): restarting it would not help.
  if (!report.ok && report.installState === "patched" && check.probes.some((p) => !p.setupError && !p.passed && !orphanAtDeadline(p))) {
    lines.push("    the install is patched on disk: if the gateway was started before `apply`, restart it so it runs the fix");
  }
  return lines;
}

function renderProbe(probe: LiveProbeResult): string[] {
  const mark = probe.passed ? "✓" : "✗";
  if (probe.setupError) return [`    ${mark} ${probe.kind}: not measured: ${probe.setupError.message}`];
  const signal = probe.droppedBy === "table" ? "gone from the TCP table" : probe.droppedBy === "fin" ? "FIN" : probe.droppedBy;
  const outcome =
    probe.droppedAfterMs === null
      ? `still held after ${seconds(probe.watchLimitMs)}`
      : probe.kernel && probe.kernel.goneAfterMs === null
        ? `the gateway let go after ${seconds(probe.droppedAfterMs)} (${signal}), but its end was still in the kernel's table after ${seconds(probe.watchLimitMs)}`
        : `dropped after ${seconds(probe.droppedAfterMs)} (${signal})${probe.kernel?.goneAfterMs != null && probe.droppedBy !== "table" ? `, gone from the kernel's table after ${seconds(probe.kernel.goneAfterMs)}` : ""}`;
  const lines = [`    ${mark} ${probe.kind}: ${outcome}; bound ${seconds(probe.boundMs)} = ${probe.basis}`];
  const seen = [
    `${probe.pings} ping${probe.pings === 1 ? "" : "s"}${probe.firstPingAfterMs === null ? "" : ` (first after ${seconds(probe.firstPingAfterMs)})`}`,
    probe.closeFrameAfterMs === null ? "no close frame" : `close frame ${probe.closeCode ?? ""} after ${seconds(probe.closeFrameAfterMs)}`,
  ];
  if (probe.gatewaySideAtEnd) seen.push(`gateway's end at the last look: ${probe.gatewaySideAtEnd.state}${probe.gatewaySideAtEnd.pid === null ? "" : ` (pid ${probe.gatewaySideAtEnd.pid})`}`);
  lines.push(`      seen: ${seen.join("; ")}`);
  lines.push(`      kernel: ${probe.kernel ? kernelLine(probe.kernel, probe.watchLimitMs) : "the TCP table did not list the gateway's end, so the probe's own view decided"}`);
  if (orphanAtDeadline(probe)) {
    lines.push("      the gateway process let go but the kernel still holds the socket: patch with abortive close on (`openclaw-patch apply --abortive-close on`, or upgrade openclaw-patch) and restart the gateway, so given-up sockets are reset");
  }
  return lines;
}

const orphanAtDeadline = (probe: LiveProbeResult): boolean => !probe.passed && probe.kernel?.goneAfterMs === null && probe.kernel.lastSeen?.holder === "orphan";

/** The gateway's end from first sight to the deadline: held, orphaned, gone. */
function kernelLine(kernel: KernelTrail, watchLimitMs: number): string {
  const steps: string[] = [];
  if (kernel.heldByGateway) steps.push(`held by the gateway process${kernel.pid === null ? "" : ` (pid ${kernel.pid})`}`);
  if (kernel.orphanedAfterMs !== null) steps.push(`orphaned (no owning process) after ${seconds(kernel.orphanedAfterMs)}`);
  if (kernel.goneAfterMs !== null) {
    steps.push(`gone after ${seconds(kernel.goneAfterMs)}${kernel.lastSeen ? ` (last seen ${describeEnd(kernel.lastSeen)})` : ""}`);
  } else {
    steps.push(`still there after ${seconds(watchLimitMs)}${kernel.lastSeen ? `: ${describeEnd(kernel.lastSeen)}` : ""}`);
  }
  return steps.join(", then ");
}
