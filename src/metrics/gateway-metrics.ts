import { loopDelayOf, memoryOf, socketCountOf } from "../trace/describe-event.js";
import { numberField } from "../trace/records.js";
import type { TraceReport } from "../trace/report.js";
import type { MetricFamily, Sample } from "./exposition.js";

/** Which gateway the figures describe: on one host, each OpenClaw state folder runs its own gateway. */
export interface MetricsIdentity {
  install: string;
}

const PREFIX = "openclaw_patch_";
const SOCKET_STATES = ["connecting", "open", "closing", "closed"] as const;
const MS_PER_S = 1_000;

/**
 * The latest figures and the counters of a trace report, as Prometheus metric families. Counters
 * count what the trace files still hold: when the oldest rotated copy is dropped they fall back,
 * which Prometheus's rate() and increase() take as a counter reset.
 */
export function gatewayMetrics(report: TraceReport, identity: MetricsIdentity): MetricFamily[] {
  const latest = report.processes.at(-1);
  const labels = { install: identity.install, release: latest?.release ?? "unknown" };
  const one = (value: number | undefined, extra: Record<string, string> = {}): Sample[] => (value === undefined ? [] : [{ labels: { ...labels, ...extra }, value }]);
  const gauge = (name: string, help: string, samples: Sample[]): MetricFamily => ({ name: PREFIX + name, help, type: "gauge", samples });
  const counter = (name: string, help: string, samples: Sample[]): MetricFamily => ({ name: PREFIX + name, help, type: "counter", samples });

  const summary = report.latestSummary;
  const memory = summary === undefined ? undefined : memoryOf(summary);
  const delay = summary === undefined ? undefined : loopDelayOf(summary);
  const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / MS_PER_S);
  const ends = report.processes.map((gatewayProcess) => gatewayProcess.end?.how);
  const lastEnded = report.processes.filter((gatewayProcess) => gatewayProcess.end?.code !== undefined).at(-1);

  return [
    gauge("info", "The patched gateway the figures describe: its install, OpenClaw release, openclaw-patch version.", latest === undefined ? [] : one(1, { tool_version: latest.tool ?? "unknown" })),
    gauge("sample_timestamp_seconds", "When the latest health sample was taken (Unix time).", one(seconds(summary?.ts))),
    gauge("gateway_start_time_seconds", "When the latest gateway process started (Unix time).", one(seconds(latest?.startedAt))),
    gauge(
      "sockets",
      "WebSocket connections the gateway holds, by ready state, at the latest sample.",
      summary === undefined ? [] : SOCKET_STATES.map((state) => ({ labels: { ...labels, state }, value: socketCountOf(summary, state) ?? 0 })),
    ),
    gauge("socket_buffered_bytes", "Bytes queued for sending on the gateway's WebSocket connections at the latest sample.", one(summary === undefined ? undefined : numberField(summary, "bufferedBytes"))),
    gauge("oldest_closing_socket_seconds", "Age of the oldest connection in the closing state at the latest sample.", one(seconds(summary === undefined ? undefined : numberField(summary, "oldestClosingMs")))),
    gauge("open_files", "File descriptors the gateway holds at the latest sample (Linux).", one(summary === undefined ? undefined : numberField(summary, "openFiles"))),
    gauge("resident_memory_bytes", "Resident memory of the gateway process at the latest sample.", one(memory?.rss)),
    gauge("heap_used_bytes", "V8 heap in use at the latest sample.", one(memory?.heapUsed)),
    gauge("heap_total_bytes", "V8 heap reserved at the latest sample.", one(memory?.heapTotal)),
    gauge("external_memory_bytes", "Memory of C++ objects bound to JavaScript objects at the latest sample.", one(memory?.external)),
    gauge("array_buffers_bytes", "Memory of ArrayBuffers and Buffers at the latest sample.", one(memory?.arrayBuffers)),
    gauge("event_loop_delay_p50_seconds", "Median event-loop delay between the last two samples.", one(seconds(delay?.p50))),
    gauge("event_loop_delay_p99_seconds", "99th percentile event-loop delay between the last two samples.", one(seconds(delay?.p99))),
    gauge("event_loop_delay_max_seconds", "Longest event-loop delay between the last two samples.", one(seconds(delay?.max))),
    gauge("active_resources", "Handles and requests keeping the gateway's event loop alive at the latest sample.", one(summary === undefined ? undefined : numberField(summary, "activeResources"))),
    gauge("last_exit_code", "Exit code of the most recent gateway process that exited rather than being killed.", one(lastEnded?.end?.code)),
    counter(
      "reclaimed_sockets_total",
      "Connections ended by each fix (release: the release's own terminate on a guarded connection).",
      Object.entries(report.reclaimed).map(([mechanism, count]) => ({ labels: { ...labels, mechanism }, value: count })),
    ),
    counter("connections_opened_total", "WebSocket connections the gateway accepted.", one(report.connections.opened)),
    counter("connections_closed_total", "WebSocket connections that closed.", one(report.connections.closed)),
    counter("stalls_total", "Event-loop stalls longer than the trace's stall threshold.", one(report.stalls.count)),
    counter("stall_seconds_total", "Time the event loop spent in those stalls.", one(report.stalls.totalMs / MS_PER_S)),
    counter("gateway_restarts_total", "Gateway processes that started after an earlier one.", one(report.restarts.count)),
    counter("gateway_unrecorded_ends_total", "Gateway processes that ended without a record: killed, out of memory or a native crash.", one(ends.filter((how) => how === "unrecorded").length)),
    counter("gateway_uncaught_exceptions_total", "Gateway processes that ended after an uncaught exception.", one(ends.filter((how) => how === "uncaught").length)),
  ];
}
