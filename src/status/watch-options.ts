import { countOption, secondsOption } from "../commands/shared/option-values.js";

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
  const range = { min: MIN_WATCH_SECONDS, max: MAX_WATCH_SECONDS };
  const intervalMs = watch === undefined || watch === true || watch === false ? DEFAULT_WATCH_SECONDS * 1000 : secondsOption("--watch", watch, range, String(DEFAULT_WATCH_SECONDS));
  const maxFrames = watchCount === undefined ? MAX_WATCH_FRAMES : countOption("--watch-count", watchCount, { min: 1, max: MAX_WATCH_FRAMES }, "frames");
  return { intervalMs, maxFrames, maxDurationMs: MAX_WATCH_DURATION_MS };
}
