import { WARNING_CODES, describeError, warnOnce } from "./warnings.js";

/**
 * A gateway callback (a call from patched code, see contract.ts) that fails once is switched off for
 * the rest of the process: the gateway keeps its own behaviour, which is better than a half-applied
 * fix failing over and over. The warning keeps its historical key and wording ("hook").
 */
export function inertAfterFailure<A extends unknown[]>(callbackName: string, body: (...args: A) => void): (...args: A) => void {
  let inert = false;
  return (...args: A): void => {
    if (inert) return;
    try {
      body(...args);
    } catch (error) {
      inert = true;
      warnOnce(
        `hook:${callbackName}`,
        WARNING_CODES.callbackFailed,
        `openclaw-patch runtime hook ${callbackName} failed and is now disabled; the gateway keeps its original behaviour. ${describeError(error)}`,
      );
    }
  };
}

/**
 * For listeners and timers the runtime registers itself: an exception there would surface as an
 * uncaught exception in the gateway, so it is reported once and swallowed.
 */
export function neverThrows<A extends unknown[]>(label: string, body: (...args: A) => void): (...args: A) => void {
  return (...args: A): void => callSafely(label, body, ...args);
}

/** `neverThrows` for a single call on a hot path, without building a wrapper for it. */
export function callSafely<A extends unknown[]>(label: string, body: (...args: A) => void, ...args: A): void {
  try {
    body(...args);
  } catch (error) {
    warnOnce(
      `callback:${label}`,
      WARNING_CODES.callbackFailed,
      `openclaw-patch runtime ${label} failed; the affected connection keeps the gateway's behaviour. ${describeError(error)}`,
    );
  }
}
