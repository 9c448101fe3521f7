import { fail } from "../../core/diagnostics.js";

/**
 * The one parser for numeric command-line values: durations in seconds (`--wait`, `--interval`,
 * `--watch`), durations in milliseconds (the runtime settings, verify --live's bounds) and counts
 * (`--max-checks`, `--watch-count`). Anything that is not a finite number in range is refused with
 * OCP_BAD_OPTION (exit 2) before any work starts: `Number("abc")` is NaN, and a NaN deadline or
 * interval polls forever or at full speed.
 */
export interface Range {
  min: number;
  max: number;
}

/** A day: no wait, interval or runtime setting of this tool is meant to be longer. */
const DAY_SECONDS = 86_400;

export const WAIT_SECONDS: Range = { min: 0, max: DAY_SECONDS };
export const POSITIVE_MS: Range = { min: 1, max: DAY_SECONDS * 1000 };

/** Seconds (fractions allowed), returned as whole milliseconds. */
export function secondsOption(name: string, raw: string | number, range: Range, example: string): number {
  const seconds = numberIn(raw, range, false);
  if (seconds === undefined) fail("OCP_BAD_OPTION", `${name} takes seconds from ${range.min} to ${range.max}, got ${JSON.stringify(String(raw))}`, `for example ${name} ${example}`);
  return Math.round(seconds * 1000);
}

/** A whole number of milliseconds. */
export function millisecondsOption(name: string, raw: string | number, example: string | number, range: Range = POSITIVE_MS): number {
  const ms = numberIn(raw, range, true);
  if (ms === undefined) fail("OCP_BAD_OPTION", `${name} must be a positive whole number of milliseconds up to ${range.max}, got ${JSON.stringify(String(raw))}`, `for example ${name} ${example}`);
  return ms;
}

/** A whole count. */
export function countOption(name: string, raw: string | number, range: Range, what: string): number {
  const count = numberIn(raw, range, true);
  if (count === undefined) fail("OCP_BAD_OPTION", `${name} must be a whole number of ${what} from ${range.min} to ${range.max}, got ${JSON.stringify(String(raw))}`, `for example ${name} ${Math.max(range.min, 5)}`);
  return count;
}

/** Plain decimal text only: Number() would also take "", " ", "0x10" and "1e3". */
function numberIn(raw: string | number, range: Range, whole: boolean): number | undefined {
  const text = String(raw).trim();
  if (!/^\d+(\.\d+)?$/.test(text) && !/^\.\d+$/.test(text)) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < range.min || value > range.max) return undefined;
  if (whole && !Number.isInteger(value)) return undefined;
  return value;
}

/** `--wait SECONDS` for another run's lock, shared by apply, revert and hook. */
export function lockWaitMs(raw: string | number | undefined, defaultMs: number): number {
  return raw === undefined ? defaultMs : secondsOption("--wait", raw, WAIT_SECONDS, "30");
}
