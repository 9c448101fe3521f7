import fs from "node:fs/promises";
import path from "node:path";
import { DEFAULT_RUNTIME_CONFIG, DURATION_SETTINGS, type DurationSetting, type RuntimeConfig } from "../../runtime/contract.js";
import { parseSwitch } from "../../runtime/config.js";
import { fail } from "../../core/diagnostics.js";
import { writeFileDurably } from "../../core/fs-safe.js";
import { millisecondsOption } from "./option-values.js";

export interface ConfigFlags {
  heartbeatMs?: string;
  pongTimeoutMs?: string;
  closeGraceMs?: string;
  keepaliveMs?: string;
  shutdownGraceMs?: string;
  headersTimeoutMs?: string;
  /** `--abortive-close on|off`, or false from `--no-abortive-close`. */
  abortiveClose?: string | boolean;
}

const FLAG_TO_KEY: [keyof ConfigFlags, DurationSetting, string][] = [
  ["heartbeatMs", "heartbeatMs", "--heartbeat-ms"],
  ["pongTimeoutMs", "pongTimeoutMs", "--pong-timeout-ms"],
  ["closeGraceMs", "closeGraceMs", "--close-grace-ms"],
  ["keepaliveMs", "keepAliveMs", "--keepalive-ms"],
  ["shutdownGraceMs", "shutdownGraceMs", "--shutdown-grace-ms"],
  ["headersTimeoutMs", "headersTimeoutMs", "--headers-timeout-ms"],
];

const SETTINGS_FILE = "settings.json";

/**
 * Runtime settings chosen at apply time live beside the install's record, so a later apply (the
 * upgrade hook, a new tool version) keeps the operator's choice instead of resetting to defaults.
 */
export async function resolveConfig(installDir: string, flags: ConfigFlags): Promise<{ config: RuntimeConfig; changed: boolean }> {
  const saved = await readSaved(installDir);
  const config: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG, ...saved };
  let changed = false;
  for (const [flag, key, name] of FLAG_TO_KEY) {
    const raw = flags[flag];
    if (raw === undefined) continue;
    const value = millisecondsOption(name, String(raw), DEFAULT_RUNTIME_CONFIG[key]);
    if (config[key] !== value) changed = true;
    config[key] = value;
  }
  if (flags.abortiveClose !== undefined) {
    const value = parseSwitch(flags.abortiveClose);
    if (value === undefined) fail("OCP_BAD_OPTION", `--abortive-close must be on or off, got ${JSON.stringify(flags.abortiveClose)}`, "for example --abortive-close on (the default) or --no-abortive-close");
    if (config.abortiveClose !== value) changed = true;
    config.abortiveClose = value;
  }
  return { config, changed };
}

export async function saveConfig(installDir: string, config: RuntimeConfig): Promise<void> {
  await fs.mkdir(installDir, { recursive: true });
  await writeFileDurably(path.join(installDir, SETTINGS_FILE), JSON.stringify(config, null, 2), { mode: 0o600 });
}

async function readSaved(installDir: string): Promise<Partial<RuntimeConfig>> {
  try {
    const value = JSON.parse(await fs.readFile(path.join(installDir, SETTINGS_FILE), "utf8")) as Record<string, unknown>;
    const out: Partial<RuntimeConfig> = {};
    for (const key of DURATION_SETTINGS) {
      const v = value[key];
      if (typeof v === "number" && Number.isInteger(v) && v > 0) out[key] = v;
    }
    if (typeof value.abortiveClose === "boolean") out.abortiveClose = value.abortiveClose;
    return out;
  } catch {
    return {};
  }
}

export const CONFIG_OPTIONS: [string, string][] = [
  ...FLAG_TO_KEY.map(([, key, name]): [string, string] => [`${name} <ms>`, `runtime setting ${key} (default ${DEFAULT_RUNTIME_CONFIG[key]})`]),
  ["--abortive-close <on|off>", "reset (RST) the sockets the fixes give up on, so the kernel keeps no orphan (default on)"],
  ["--no-abortive-close", "close them gracefully instead (FIN; the kernel may keep them for minutes)"],
];
