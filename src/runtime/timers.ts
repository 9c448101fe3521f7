import { performance } from "node:perf_hooks";

/** Node rejects (and clamps to 1 ms) delays above this; we clamp ourselves so intent stays visible. */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** Monotonic milliseconds: wall-clock jumps must never look like a silent peer or a stall. */
export function monotonicNow(): number {
  return performance.now();
}

function clampDelay(ms: number): number {
  return Math.min(Math.max(Math.ceil(ms), 1), MAX_TIMER_DELAY_MS);
}

// Every timer is unref'd: the runtime lives inside the gateway and must never keep it alive.

export function startTimeout(callback: () => void, delayMs: number): NodeJS.Timeout {
  const timer = setTimeout(callback, clampDelay(delayMs));
  timer.unref();
  return timer;
}

export function startInterval(callback: () => void, periodMs: number): NodeJS.Timeout {
  const timer = setInterval(callback, clampDelay(periodMs));
  timer.unref();
  return timer;
}

/** Runs after the current loop iteration's poll phase, i.e. after socket data already received is read. */
export function afterPendingIo(callback: () => void): NodeJS.Immediate {
  const immediate = setImmediate(callback);
  immediate.unref();
  return immediate;
}
