const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Bucket widths a reader can say aloud ("per 5 min"), narrowest first. */
const BUCKET_WIDTHS_MS = [SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR];

/**
 * Points per chart at most: a day at 5 minutes, a week at 15 minutes. Every chart of the page
 * then draws in a few milliseconds however long the trace is.
 */
export const MAX_POINTS = 720;

export interface TimeBuckets {
  widthMs: number;
  /** Epoch ms of the first bucket's start, a multiple of the width. */
  start: number;
  count: number;
}

/** The narrowest listed width that covers `from`–`to` in at most MAX_POINTS buckets. */
export function timeBuckets(from: number, to: number): TimeBuckets {
  const span = Math.max(to - from, 0);
  const widthMs = BUCKET_WIDTHS_MS.find((width) => Math.floor(to / width) - Math.floor(from / width) + 1 <= MAX_POINTS) ?? Math.ceil((span + 1) / MAX_POINTS);
  const start = Math.floor(from / widthMs) * widthMs;
  return { widthMs, start, count: Math.floor((to - start) / widthMs) + 1 };
}

export function bucketIndex(buckets: TimeBuckets, ts: number): number {
  return Math.min(Math.max(Math.floor((ts - buckets.start) / buckets.widthMs), 0), buckets.count - 1);
}

/** `10 s`, `5 min`, `2 h`: how the count charts name their bucket. */
export function bucketName(widthMs: number): string {
  if (widthMs % HOUR === 0) return `${widthMs / HOUR} h`;
  if (widthMs % MINUTE === 0) return `${widthMs / MINUTE} min`;
  return `${widthMs / SECOND} s`;
}
