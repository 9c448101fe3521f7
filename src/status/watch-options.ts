import { fail } from "../core/diagnostics.js";

export interface WatchPlan {
  intervalMs: number;
  /** Frames to print before stopping on its own (--watch-count), else the time cap decides. */
  maxFrames: number;
  /** A forgotten `status --watch` in a terminal must not run forever. */
  maxDurationMs: number;
}

export const DEFAULT_WATCH_SECONDS = 2;
const MIN_WATCH_SECONDS = 0.1;
const MAX_WATCH_SECONDS = 3600;
const MAX_WATCH_FRAMES = 1_000_000;
const MAX_WATCH_DURATION_MS = 24 * 3600_000;

/** `--watch [seconds]` arrives as true or a string; `--watch-count N` alone also means watching. */
export function watchPlan(watch: boolean | string | undefined, watchCount: string | number | undefined): WatchPlan | undefined {
  if ((watch === undefined || watch === false) && watchCount === undefined) return undefined;
  const seconds = watch === undefined || watch === true || watch === false ? DEFAULT_WATCH_SECONDS : Number(watch);
  if (!Number.isFinite(seconds) || seconds < MIN_WATCH_SECONDS || seconds > MAX_WATCH_SECONDS) {
    fail("OCP_BAD_OPTION", `--watch takes seconds between ${MIN_WATCH_SECONDS} and ${MAX_WATCH_SECONDS}, got ${JSON.stringify(String(watch))}`, `for example --watch ${DEFAULT_WATCH_SECONDS}`);
  }
  let maxFrames = MAX_WATCH_FRAMES;
  if (watchCount !== undefined) {
    const count = Number(watchCount);
    if (!Number.isInteger(count) || count < 1 || count > MAX_WATCH_FRAMES) fail("OCP_BAD_OPTION", `--watch-count must be a whole number of frames from 1, got ${JSON.stringify(String(watchCount))}`, "for example --watch-count 5");
    maxFrames = count;
  }
  return { intervalMs: Math.round(seconds * 1000), maxFrames, maxDurationMs: MAX_WATCH_DURATION_MS };
}
