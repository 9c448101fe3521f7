import { sharedState } from "./shared-state.js";
import { monotonicNow, startInterval } from "./timers.js";
import { emit } from "./trace.js";
import { neverThrows } from "./hook-safety.js";

/** Sampling faster than this buys nothing and costs wake-ups in an idle gateway. */
const MIN_SAMPLE_MS = 20;
const MAX_SAMPLE_MS = 1_000;
/** A few samples per threshold keep detection latency well below the threshold itself. */
const SAMPLES_PER_THRESHOLD = 4;

/**
 * Measures event-loop blocks with a cheap drifting interval. While the loop is blocked, pongs pile
 * up unread in the kernel; a liveness decision made right after such a block would blame peers
 * for our own stall.
 */
export class StallDetector {
  private thresholdMs: number;
  private sampleMs: number;
  private lastSampleAt = monotonicNow();
  /** End of the most recent block longer than the threshold, or -Infinity. */
  private lastStallEndedAt = Number.NEGATIVE_INFINITY;
  private sampler: NodeJS.Timeout | undefined;

  constructor(thresholdMs: number) {
    this.thresholdMs = thresholdMs;
    this.sampleMs = sampleIntervalFor(thresholdMs);
    this.startSampler();
  }

  /** Several configurations may share the process: the strictest threshold protects all of them. */
  useThreshold(thresholdMs: number): void {
    if (thresholdMs >= this.thresholdMs) return;
    this.thresholdMs = thresholdMs;
    const sampleMs = sampleIntervalFor(thresholdMs);
    if (sampleMs === this.sampleMs) return;
    this.sampleMs = sampleMs;
    this.startSampler();
  }

  /** True when a block longer than the threshold ended at or after `since`, or is ending right now. */
  stalledSince(since: number): boolean {
    const now = monotonicNow();
    if (this.lastStallEndedAt >= since) return true;
    // The sampler may not have run yet after a block that is only now ending.
    return now - this.lastSampleAt - this.sampleMs > this.thresholdMs;
  }

  private startSampler(): void {
    if (this.sampler !== undefined) clearInterval(this.sampler);
    this.lastSampleAt = monotonicNow();
    this.sampler = startInterval(neverThrows("stall sampler", () => this.sample()), this.sampleMs);
  }

  private sample(): void {
    const now = monotonicNow();
    const blockedMs = now - this.lastSampleAt - this.sampleMs;
    this.lastSampleAt = now;
    if (blockedMs <= this.thresholdMs) return;
    this.lastStallEndedAt = now;
    emit({ type: "stall", blockedMs: Math.round(blockedMs) });
  }
}

function sampleIntervalFor(thresholdMs: number): number {
  return Math.min(Math.max(Math.floor(thresholdMs / SAMPLES_PER_THRESHOLD), MIN_SAMPLE_MS), MAX_SAMPLE_MS);
}

/**
 * A block shorter than the pong window can still hide a pong that arrived during it, so half the
 * window already counts as a stall: the cost is one extra window for a dead peer, never a wrong kill.
 */
export function stallThresholdFor(pongTimeoutMs: number): number {
  return Math.max(Math.floor(pongTimeoutMs / 2), 1);
}

export function processStallDetector(pongTimeoutMs: number): StallDetector {
  const state = sharedState();
  const threshold = stallThresholdFor(pongTimeoutMs);
  if (state.stallDetector === undefined) state.stallDetector = new StallDetector(threshold);
  else state.stallDetector.useThreshold(threshold);
  return state.stallDetector;
}
