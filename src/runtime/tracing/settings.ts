import { DEFAULT_TRACE_MAX_BYTES, TRACE_ENV, positiveIntegerOf, traceFilePath } from "./file.js";
import type { TraceLevel } from "./events.js";
import { WARNING_CODES, warnOnce } from "../warnings.js";

export interface TraceSettings {
  level: TraceLevel;
  file: string;
  maxBytes: number;
  /** Event-loop blocks longer than this are written as `stall` lines. */
  stallMs: number;
  summaryMs: number;
}

export const DEFAULT_STALL_MS = 1_000;
export const DEFAULT_SUMMARY_MS = 60_000;
/** Longest delay a Node timer accepts. */
const MAX_PERIOD_MS = 2_147_483_647;

const LEVELS: readonly TraceLevel[] = ["off", "lifecycle", "debug"];

/** Read first and alone, so that `off` never touches the file system or the home directory. */
export function resolveTraceLevel(env: NodeJS.ProcessEnv): TraceLevel {
  const raw = env[TRACE_ENV.level];
  const normalized = raw?.trim().toLowerCase();
  if (normalized === undefined || normalized === "") return "lifecycle";
  const known = LEVELS.find((candidate) => candidate === normalized);
  if (known !== undefined) return known;
  warnInvalid([`${TRACE_ENV.level}=${JSON.stringify(raw)}`]);
  return "lifecycle";
}

/** Invalid values fall back to defaults with one warning, like every other runtime knob. */
export function resolveTraceSettings(env: NodeJS.ProcessEnv, level: TraceLevel): TraceSettings {
  const invalid: string[] = [];
  const read = (name: string, fallback: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = positiveIntegerOf(raw);
    if (value !== undefined && value <= max) return value;
    invalid.push(`${name}=${JSON.stringify(raw)}`);
    return fallback;
  };
  const settings: TraceSettings = {
    level,
    file: traceFilePath(env),
    maxBytes: read(TRACE_ENV.maxBytes, DEFAULT_TRACE_MAX_BYTES, Number.MAX_SAFE_INTEGER),
    stallMs: read(TRACE_ENV.stallMs, DEFAULT_STALL_MS, MAX_PERIOD_MS),
    summaryMs: read(TRACE_ENV.summaryMs, DEFAULT_SUMMARY_MS, MAX_PERIOD_MS),
  };
  if (invalid.length > 0) warnInvalid(invalid);
  return settings;
}

function warnInvalid(settings: string[]): void {
  warnOnce(
    `trace:invalid-env:${settings.join(",")}`,
    WARNING_CODES.invalidEnv,
    `openclaw-patch runtime ignored ${settings.join(", ")}: expected ${TRACE_ENV.level}=off|lifecycle|debug and positive integers of bytes or milliseconds.`,
  );
}
