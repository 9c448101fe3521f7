import type { ServerKind } from "./contract.js";
import { sharedState } from "./shared-state.js";

/** Which fix ended a connection; stable names, used in traces and warnings. */
export type TerminateMechanism = "heartbeat" | "release-ping" | "close-grace" | "socket-error" | "bounded-shutdown";

export type PingSource = "own" | "release";

export type RuntimeEvent =
  | { type: "attached"; toolVersion: string; release: string; chunk: string; patches: string[] }
  | { type: "opened"; connectionId: number; kind: ServerKind }
  | { type: "closeStarted"; connectionId: number | undefined; code: number | undefined; reason: string }
  | { type: "heartbeatMissed"; connectionId: number; pingSource: PingSource; waitedMs: number }
  | { type: "terminated"; connectionId: number | undefined; mechanism: TerminateMechanism }
  | { type: "closed"; connectionId: number | undefined; code: number | undefined }
  | { type: "error"; connectionId: number | undefined; message: string }
  | { type: "shutdown"; kind: ServerKind | undefined; remainingClients: number; graceMs: number }
  | { type: "stall"; blockedMs: number };

export type TracedEvent = RuntimeEvent & { time: number };

export type TraceSink = (event: TracedEvent) => void;

/**
 * The single exit point for runtime events. No sink is installed yet, so this costs one size
 * check; file tracing plugs in by adding a sink to the shared state.
 */
export function emit(event: RuntimeEvent): void {
  const sinks = sharedState().traceSinks;
  if (sinks.size === 0) return;
  const traced: TracedEvent = { ...event, time: Date.now() };
  for (const sink of sinks) {
    try {
      sink(traced);
    } catch {
      // A broken sink must not change connection handling.
    }
  }
}

export function closeCodeOf(code: unknown): number | undefined {
  return typeof code === "number" && Number.isInteger(code) ? code : undefined;
}

/** Close reasons are capped at 123 bytes by the protocol; anything longer is not a reason. */
const MAX_REASON_CHARS = 123;

export function closeReasonOf(reason: unknown): string {
  if (typeof reason === "string") return reason.slice(0, MAX_REASON_CHARS);
  if (reason instanceof Uint8Array) return Buffer.from(reason).toString("utf8").slice(0, MAX_REASON_CHARS);
  return "";
}
