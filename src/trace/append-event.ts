import os from "node:os";
import { TRACE_ENV, appendTraceTextSync, traceFilePath, traceMaxBytes } from "../runtime/tracing/file.js";

/** An event line from outside the gateway, e.g. `{ ev: "repatch-failed", code, message }`. */
export interface CliTraceEvent {
  ev: string;
  [field: string]: unknown;
}

export interface AppendTraceOptions {
  env?: NodeJS.ProcessEnv;
  homedir?: string;
  /** Overrides the path rules (tests, or a file given on the command line). */
  file?: string;
  now?: number;
  pid?: number;
}

export type AppendTraceResult =
  | { written: true; file: string }
  | { written: false; file: string | undefined; reason: "trace-off" | "write-failed"; error?: string };

/**
 * Appends one line to the gateway's trace file with the runtime's path and rotation rules, marked
 * `"source":"cli"` so readers tell it from gateway lines. Never throws: a caller such as the
 * upgrade hook must not fail because a trace could not be written. The caller's fields are written
 * as given, so they must not carry secrets.
 */
export function appendTraceEvent(event: CliTraceEvent, options: AppendTraceOptions = {}): AppendTraceResult {
  const env = options.env ?? process.env;
  if (env[TRACE_ENV.level]?.trim().toLowerCase() === "off") return { written: false, file: undefined, reason: "trace-off" };
  let file: string | undefined;
  try {
    file = options.file ?? traceFilePath(env, options.homedir ?? os.homedir());
    const line = { ...event, ts: options.now ?? Date.now(), pid: options.pid ?? process.pid, ev: event.ev, source: "cli" };
    const { ts, pid, ev, source, ...fields } = line;
    appendTraceTextSync(file, `${JSON.stringify({ ts, pid, ev, source, ...fields })}\n`, traceMaxBytes(env));
    return { written: true, file };
  } catch (error) {
    return { written: false, file, reason: "write-failed", error: error instanceof Error ? error.message : String(error) };
  }
}
