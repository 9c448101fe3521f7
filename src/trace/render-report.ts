import { describeSummary } from "./describe-event.js";
import { renderProcessDetail, renderRestarts } from "./render-processes.js";
import { formatClock, formatDateTime, formatDuration, formatTally, plural } from "./format.js";
import type { TraceContents } from "./read-trace.js";
import type { CloseTally, TraceReport } from "./report.js";

/** Minutes with activity shown in the human report; --json has them all. */
const TIMELINE_MINUTES_SHOWN = 15;

function tallyLine(label: string, tally: CloseTally): string {
  return tally.total === 0 ? `${label} 0` : `${label} ${tally.total} (${formatTally(tally.codes)})`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width);
}

/** The compact human report of `openclaw-patch trace`, as lines. */
export function renderTraceReport(contents: TraceContents, report: TraceReport): string[] {
  const rotated = contents.files.length - (contents.files.includes(contents.file) ? 1 : 0);
  const lines = [`openclaw-patch trace: ${contents.file}${rotated > 0 ? ` (+${rotated} rotated)` : ""}`];
  if (report.from === undefined || report.to === undefined) {
    lines.push(report.since === undefined ? "  no events" : `  no events since ${formatDateTime(report.since)}`);
    return lines;
  }
  const skipped = contents.malformedLines + contents.tornLines;
  lines.push(
    `  ${report.events} events, ${formatDateTime(report.from)} → ${formatDateTime(report.to)} (${formatDuration(report.to - report.from)})` +
      (skipped > 0 ? `; ${plural(skipped, "unreadable line")} skipped` : ""),
  );
  for (const gatewayProcess of report.processes.slice(-3)) {
    lines.push(
      `  gateway pid ${gatewayProcess.pid}: started ${formatDateTime(gatewayProcess.startedAt)}, OpenClaw ${gatewayProcess.release ?? "?"}, openclaw-patch ${gatewayProcess.tool ?? "?"}, trace ${gatewayProcess.level ?? "?"}${gatewayProcess.ended ? " (since replaced)" : ""}`,
      ...renderProcessDetail(gatewayProcess),
    );
  }
  lines.push(...renderRestarts(report));
  const { connections, closes } = report;
  lines.push(
    `  connections: ${connections.opened} opened, ${connections.authenticated} authenticated, ${connections.closed} closed, ${connections.openAtEnd} open at the end` +
      (connections.lostAtRestart > 0 ? `, ${connections.lostAtRestart} unclosed when their gateway was replaced` : ""),
  );
  lines.push(`  close started by: ${tallyLine("gateway", closes.byGateway)}; ${tallyLine("peer", closes.byPeer)}; no close start ${closes.withoutCloseStart}`);
  if (Object.keys(closes.causes).length > 0) lines.push(`  close causes: ${formatTally(closes.causes)}`);
  const reclaimed = Object.keys(report.reclaimed).length > 0 ? formatTally(report.reclaimed) : "none";
  lines.push(`  reclaimed by the fixes: ${reclaimed}${report.heartbeatMissed > 0 ? `; ${plural(report.heartbeatMissed, "missed pong")}` : ""}`);
  const { terminations } = report;
  if (terminations.reset + terminations.graceful > 0) {
    lines.push(`  ended by a reset (no orphan left in the kernel): ${terminations.reset}; closed gracefully: ${terminations.graceful}`);
  }
  const { stalls } = report;
  lines.push(
    stalls.count === 0
      ? "  event-loop stalls: none"
      : `  event-loop stalls: ${stalls.count}, longest ${formatDuration(stalls.longestMs)} at ${formatClock(stalls.longestAt!)}, total ${formatDuration(stalls.totalMs)}`,
  );
  if (report.errors > 0) lines.push(`  socket errors: ${report.errors}`);
  if (report.longestHeld.length > 0) {
    lines.push("  longest-held sockets:");
    for (const held of report.longestHeld) {
      const peer = held.peer === undefined ? "" : ` ${held.peer}${held.port === undefined ? "" : `:${held.port}`}`;
      const end = held.mechanism !== undefined ? `terminated by ${held.mechanism}` : `closed ${held.code ?? "?"}${held.closedBy ? ` (${held.closedBy} started)` : ""}`;
      lines.push(`    conn ${held.conn} pid ${held.pid}${peer}: ${formatDuration(held.durationMs)}, ${end}`);
    }
  }
  if (report.oldestOpen.length > 0) {
    lines.push("  oldest sockets still open at the end:");
    for (const open of report.oldestOpen) {
      lines.push(`    conn ${open.conn} pid ${open.pid}${open.peer === undefined ? "" : ` ${open.peer}`}: open ${formatDuration(open.ageMs)}`);
    }
  }
  if (report.latestSummary !== undefined) lines.push(`  latest summary (${formatClock(report.latestSummary.ts)}): ${describeSummary(report.latestSummary)}`);
  const active = report.timeline.slice(-TIMELINE_MINUTES_SHOWN);
  if (active.length > 0) {
    lines.push(`  per minute (last ${plural(active.length, "active minute")}):`);
    lines.push("                      opened  closed  terminated  stalls");
    for (const minute of active) {
      lines.push(`    ${formatDateTime(minute.minute).slice(0, 16)}  ${pad(minute.opened, 6)}  ${pad(minute.closed, 6)}  ${pad(minute.terminated, 10)}  ${pad(minute.stalls, 6)}`);
    }
  }
  for (const event of report.cliEvents) {
    const detail = [event.code, event.message].filter((part) => typeof part === "string").join(": ");
    lines.push(`  ${formatDateTime(event.ts)} openclaw-patch ${event.ev}${detail ? `: ${detail}` : ""}`);
  }
  return lines;
}
