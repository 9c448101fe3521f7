import fs from "node:fs/promises";
import path from "node:path";
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from "../../runtime/contract.js";
import { fail } from "../../core/diagnostics.js";

export interface ConfigFlags {
  heartbeatMs?: string;
  pongTimeoutMs?: string;
  closeGraceMs?: string;
  keepaliveMs?: string;
  shutdownGraceMs?: string;
  headersTimeoutMs?: string;
}

const FLAG_TO_KEY: [keyof ConfigFlags, keyof RuntimeConfig, string][] = [
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
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0 || value > 86_400_000) fail("OCP_BAD_OPTION", `${name} must be a positive whole number of milliseconds, got ${JSON.stringify(raw)}`, `for example ${name} ${DEFAULT_RUNTIME_CONFIG[key]}`);
    if (config[key] !== value) changed = true;
    config[key] = value;
  }
  return { config, changed };
}

export async function saveConfig(installDir: string, config: RuntimeConfig): Promise<void> {
  await fs.mkdir(installDir, { recursive: true });
  await fs.writeFile(path.join(installDir, SETTINGS_FILE), JSON.stringify(config, null, 2));
}

async function readSaved(installDir: string): Promise<Partial<RuntimeConfig>> {
  try {
    const value = JSON.parse(await fs.readFile(path.join(installDir, SETTINGS_FILE), "utf8")) as Record<string, unknown>;
    const out: Partial<RuntimeConfig> = {};
    for (const key of Object.keys(DEFAULT_RUNTIME_CONFIG) as (keyof RuntimeConfig)[]) {
      const v = value[key];
      if (typeof v === "number" && Number.isInteger(v) && v > 0) out[key] = v;
    }
    return out;
  } catch {
    return {};
  }
}

export const CONFIG_OPTIONS: [string, string][] = FLAG_TO_KEY.map(([, key, name]) => [`${name} <ms>`, `runtime setting ${key} (default ${DEFAULT_RUNTIME_CONFIG[key]})`]);
