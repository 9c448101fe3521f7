/**
 * Entry point of the runtime that patched OpenClaw chunks load (shipped as
 * `openclaw-patch-runtime.mjs` at the package root). Only `attach` is exported: the chunk needs nothing else.
 */
import type { AttachOptions, GatewayCallbacks } from "./contract.js";
import { resolveAttachOptions, type ResolvedAttach } from "./attach-options.js";
import { isRuntimeDisabled } from "./config.js";
import { createGatewayCallbacks } from "./gateway-callbacks.js";
import { startTracing } from "./tracing/tracer.js";
import { WARNING_CODES, describeError, warnOnce } from "./warnings.js";

function noop(): void {}

function inertCallbacks(): GatewayCallbacks {
  return {
    guardServer: noop,
    connectionOpened: noop,
    clientAuthenticated: noop,
    closeStarted: noop,
    closeObserved: noop,
    errorObserved: noop,
    guardHttpServer: noop,
    upgradeStarted: noop,
    shutdownStarted: noop,
  };
}

/** Tracing is an observer: if it cannot start, the fixes still attach. It writes only once the process serves (`tracingServes`). */
function startTracingSafely(resolved: ResolvedAttach): void {
  try {
    startTracing(resolved, process.env);
  } catch (error) {
    warnOnce("trace:start", WARNING_CODES.callbackFailed, `openclaw-patch runtime could not start tracing; the fixes still apply. ${describeError(error)}`);
  }
}

export function attach(options: AttachOptions): GatewayCallbacks {
  try {
    if (isRuntimeDisabled(process.env)) return inertCallbacks();
    const resolved = resolveAttachOptions(options, process.env);
    startTracingSafely(resolved);
    return createGatewayCallbacks(resolved);
  } catch (error) {
    warnOnce(
      "attach",
      WARNING_CODES.callbackFailed,
      `openclaw-patch runtime could not attach; the gateway runs unpatched. ${describeError(error)}`,
    );
    return inertCallbacks();
  }
}
