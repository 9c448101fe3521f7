import { warning, type Diagnostic } from "../core/diagnostics.js";
import { millisecondsOption } from "../commands/shared/option-values.js";
import { releaseInRange, type ReleaseVersion } from "../core/release.js";
import { DEFAULT_RUNTIME_CONFIG, RUNTIME_ENV, type RuntimeConfig } from "../runtime/contract.js";

/** One timing the bound is built from, and where its value came from, for the report. */
export interface Setting {
  ms: number;
  source: string;
}

export interface BoundSettings {
  heartbeatMs: Setting;
  pongTimeoutMs: Setting;
  closeGraceMs: Setting;
  handshakeTimeoutMs: Setting;
}

export interface BoundFlags {
  heartbeatMs?: string;
  pongTimeoutMs?: string;
  closeGraceMs?: string;
  handshakeTimeoutMs?: string;
}

export interface BoundSettingsInput {
  release: ReleaseVersion;
  /** Apply-time values from the install record, when the install was patched. */
  recorded?: RuntimeConfig;
  /** This process's environment: the gateway's own is not visible, so the operator mirrors it here. */
  env: Record<string, string | undefined>;
  flags: BoundFlags;
  /** gateway.handshakeTimeoutMs from the OpenClaw config, and the file it came from. */
  configHandshakeTimeoutMs?: { ms: number; file: string };
}

export const HANDSHAKE_ENV = "OPENCLAW_HANDSHAKE_TIMEOUT_MS";
/** The pre-auth handshake timeout went from 10 s to 15 s in 2026.4.29. */
const LONGER_HANDSHAKE_FROM = "2026.4.29";

type PatchKey = "heartbeatMs" | "pongTimeoutMs" | "closeGraceMs";
const PATCH_FLAGS: Record<PatchKey, string> = { heartbeatMs: "--heartbeat-ms", pongTimeoutMs: "--pong-timeout-ms", closeGraceMs: "--close-grace-ms" };

export function boundSettings(input: BoundSettingsInput): { settings: BoundSettings; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const patchSetting = (key: PatchKey): Setting => {
    const flag = flagValue(input.flags[key], PATCH_FLAGS[key]);
    if (flag !== undefined) return { ms: flag, source: PATCH_FLAGS[key] };
    const envName = RUNTIME_ENV[key];
    const fromEnv = envValue(input.env[envName], envName, diagnostics);
    if (fromEnv !== undefined) return { ms: fromEnv, source: `${envName} in this environment` };
    if (input.recorded !== undefined) return { ms: input.recorded[key], source: "the install record (apply time)" };
    return { ms: DEFAULT_RUNTIME_CONFIG[key], source: "openclaw-patch default" };
  };
  return {
    settings: {
      heartbeatMs: patchSetting("heartbeatMs"),
      pongTimeoutMs: patchSetting("pongTimeoutMs"),
      closeGraceMs: patchSetting("closeGraceMs"),
      handshakeTimeoutMs: handshakeSetting(input, diagnostics),
    },
    diagnostics,
  };
}

/** The gateway's own order: its environment, then gateway.handshakeTimeoutMs, then the release default. */
function handshakeSetting(input: BoundSettingsInput, diagnostics: Diagnostic[]): Setting {
  const flag = flagValue(input.flags.handshakeTimeoutMs, "--handshake-timeout-ms");
  if (flag !== undefined) return { ms: flag, source: "--handshake-timeout-ms" };
  const fromEnv = envValue(input.env[HANDSHAKE_ENV], HANDSHAKE_ENV, diagnostics);
  if (fromEnv !== undefined) return { ms: fromEnv, source: `${HANDSHAKE_ENV} in this environment (assumed to match the gateway's)` };
  if (input.configHandshakeTimeoutMs) return { ms: input.configHandshakeTimeoutMs.ms, source: `gateway.handshakeTimeoutMs in ${input.configHandshakeTimeoutMs.file}` };
  const longer = releaseInRange(input.release, { from: LONGER_HANDSHAKE_FROM });
  return {
    ms: longer ? 15_000 : 10_000,
    source: `assumed: the default of OpenClaw ${input.release.raw} (${HANDSHAKE_ENV} is not set here; if the gateway's service sets it, pass --handshake-timeout-ms)`,
  };
}

function flagValue(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  return millisecondsOption(name, raw, 10_000);
}

/** The runtime ignores a bad value and keeps the next source; so does the bound. */
function envValue(raw: string | undefined, name: string, diagnostics: Diagnostic[]): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw.trim());
  if (Number.isFinite(value) && value > 0 && value <= 86_400_000) return Math.round(value);
  diagnostics.push(warning("OCP_LIVE_ENV_IGNORED", `${name}=${JSON.stringify(raw)} is not a positive number of milliseconds; it was ignored, as the gateway ignores it.`, `unset ${name} or give it a number`, { name, value: raw }));
  return undefined;
}
