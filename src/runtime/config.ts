import { DEFAULT_RUNTIME_CONFIG, DURATION_SETTINGS, RUNTIME_ENV, type RuntimeConfig } from "./contract.js";
import { WARNING_CODES, warnOnce } from "./warnings.js";

/** Longest delay a Node timer accepts; larger values would silently become 1 ms. */
const MAX_DURATION_MS = 2_147_483_647;

function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isInteger(value) && value > 0 && value <= MAX_DURATION_MS ? value : undefined;
  }
  if (typeof value !== "string" || !/^\s*\d+\s*$/.test(value)) return undefined;
  return parseDuration(Number(value));
}

const SWITCH_WORDS: Record<string, boolean> = { "1": true, true: true, on: true, yes: true, "0": false, false: false, off: false, no: false };

/** An on/off setting as an operator would write it in a service file or on the command line. */
export function parseSwitch(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return undefined;
  return SWITCH_WORDS[value.trim().toLowerCase()];
}

export function isRuntimeDisabled(env: NodeJS.ProcessEnv): boolean {
  const value = env[RUNTIME_ENV.disable]?.trim().toLowerCase();
  return value === "1" || value === "true";
}

/**
 * Apply-time values, then environment overrides. A bad value anywhere falls back rather than
 * failing: a typo in a service file must not take the gateway's fixes (or the gateway) down.
 */
export function resolveRuntimeConfig(applyTime: unknown, env: NodeJS.ProcessEnv): RuntimeConfig {
  const resolved: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG };
  const base = typeof applyTime === "object" && applyTime !== null ? (applyTime as Record<string, unknown>) : {};
  const invalidEnv: string[] = [];
  for (const key of DURATION_SETTINGS) {
    resolved[key] = parseDuration(base[key]) ?? DEFAULT_RUNTIME_CONFIG[key];
    const envName = RUNTIME_ENV[key];
    const raw = env[envName];
    if (raw === undefined || raw === "") continue;
    const override = parseDuration(raw);
    if (override === undefined) invalidEnv.push(`${envName}=${JSON.stringify(raw)} (expected a positive integer number of milliseconds)`);
    else resolved[key] = override;
  }
  resolved.abortiveClose = parseSwitch(base.abortiveClose) ?? DEFAULT_RUNTIME_CONFIG.abortiveClose;
  const rawSwitch = env[RUNTIME_ENV.abortiveClose];
  if (rawSwitch !== undefined && rawSwitch !== "") {
    const override = parseSwitch(rawSwitch);
    if (override === undefined) invalidEnv.push(`${RUNTIME_ENV.abortiveClose}=${JSON.stringify(rawSwitch)} (expected on or off)`);
    else resolved.abortiveClose = override;
  }
  if (invalidEnv.length > 0) {
    warnOnce("config:invalid-env", WARNING_CODES.invalidEnv, `openclaw-patch runtime ignored ${invalidEnv.join(", ")}.`);
  }
  return resolved;
}
