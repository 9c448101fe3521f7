import { sharedState } from "./shared-state.js";
import { monotonicNow, startInterval } from "./timers.js";
import { emit } from "./tracing/events.js";
import { neverThrows } from "./callback-safety.js";

declare module "./shared-state.js" {
  interface RuntimeState {
    stallDetector: StallDetector | undefined;
  }
}

/** Sampling faster than this buys nothing and costs wake-ups in an idle gateway. */
const MIN_SAMPLE_MS = 20;
const MAX_SAMPLE_MS = 1_000;
/** A few samples per threshold keep detection latency well below the threshold itself. */
const SAMPLES_PER_THRESHOLD = 4;

/**
 * Measures event-loop blocks with a cheap drifting interval. While the loop is blocked, pongs pile
 * up unread in the kernel; a liveness decision made right after such a block would blame peers
 * for our own stall. The same samples feed the trace: a gateway-side CLOSE_WAIT pile-up means a
 * blocked loop, and a `stall` line says when and for how long.
 *
 * Two thresholds share the sampler: the liveness one (pong windows) and the reporting one (trace).
 * A block over either is emitted; sinks apply their own threshold. The sampler runs only once one
 * of them is set, so a gateway with neither heartbeat nor tracing pays nothing.
 */
export class StallDetector {
  private livenessThresholdMs = Number.POSITIVE_INFINITY;
  private reportThresholdMs = Number.POSITIVE_INFINITY;
  private sampleMs = 0;
  private lastSampleAt = monotonicNow();
  /** End of the most recent block longer than the liveness threshold, or -Infinity. */
  private lastStallEndedAt = Number.NEGATIVE_INFINITY;
  private sampler: NodeJS.Timeout | undefined;

  /** Several configurations may share the process: the strictest threshold protects all of them. */
  useThreshold(thresholdMs: number): void {
    if (thresholdMs >= this.livenessThresholdMs) return;
    this.livenessThresholdMs = thresholdMs;
    this.adjustSampler();
  }

  /** Blocks longer than this are emitted as `stall` events even when no pong window needs them. */
  reportStallsOver(thresholdMs: number): void {
    if (thresholdMs >= this.reportThresholdMs) return;
    this.reportThresholdMs = thresholdMs;
    this.adjustSampler();
  }

  /** True when a block longer than the threshold ended at or after `since`, or is ending right now. */
  stalledSince(since: number): boolean {
    const now = monotonicNow();
    if (this.lastStallEndedAt >= since) return true;
    if (this.sampler === undefined) return false;
    // The sampler may not have run yet after a block that is only now ending.
    return now - this.lastSampleAt - this.sampleMs > this.livenessThresholdMs;
  }

  private adjustSampler(): void {
    const sampleMs = sampleIntervalFor(Math.min(this.livenessThresholdMs, this.reportThresholdMs));
    if (sampleMs === this.sampleMs && this.sampler !== undefined) return;
    this.sampleMs = sampleMs;
    if (this.sampler !== undefined) clearInterval(this.sampler);
    this.lastSampleAt = monotonicNow();
    this.sampler = startInterval(neverThrows("stall sampler", () => this.sample()), this.sampleMs);
  }

  private sample(): void {
    const now = monotonicNow();
    const blockedMs = now - this.lastSampleAt - this.sampleMs;
    this.lastSampleAt = now;
    if (blockedMs > this.livenessThresholdMs) this.lastStallEndedAt = now;
    if (blockedMs > this.livenessThresholdMs || blockedMs > this.reportThresholdMs) {
      emit({ type: "stall", blockedMs: Math.round(blockedMs) });
    }
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

function processStallDetectorInstance(): StallDetector {
  const state = sharedState();
  state.stallDetector ??= new StallDetector();
  return state.stallDetector;
}

export function processStallDetector(pongTimeoutMs: number): StallDetector {
  const detector = processStallDetectorInstance();
  detector.useThreshold(stallThresholdFor(pongTimeoutMs));
  return detector;
}

/** Used by the tracer; the detector is shared with the pong windows, so one sampler serves both. */
export function reportStallsOver(thresholdMs: number): void {
  processStallDetectorInstance().reportStallsOver(thresholdMs);
}
