import { sharedState } from "./shared-state.js";

export const WARNING_CODES = {
  callbackFailed: "OCP_RUNTIME_HOOK_FAILED",
  invalidEnv: "OCP_RUNTIME_ENV_INVALID",
  traceWriteFailed: "OCP_RUNTIME_TRACE_WRITE_FAILED",
} as const;

const WARNING_TYPE = "OpenClawPatchWarning";

/** Emits at most one warning per key per process: a gateway log must not fill up with repeats. */
export function warnOnce(key: string, code: string, message: string): void {
  try {
    const warned = sharedState().warnedKeys;
    if (warned.has(key)) return;
    warned.add(key);
    process.emitWarning(message, { type: WARNING_TYPE, code });
  } catch {
    // Reporting must never become the failure that reaches the gateway.
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return "unprintable error";
  }
}
