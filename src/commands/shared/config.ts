import fs from "node:fs/promises";
import path from "node:path";
import { DEFAULT_RUNTIME_CONFIG, DURATION_SETTINGS, type DurationSetting, type RuntimeConfig } from "../../runtime/contract.js";
import { parseSwitch } from "../../runtime/config.js";
import { fail } from "../../core/diagnostics.js";
import { writeFileDurably } from "../../core/fs-safe.js";
import { milliseconds, type OptionParser, type OptionSpec, type OptionTable, type OptionValues, type RawOptions } from "./option-schema.js";

const FLAG_TO_KEY: [ConfigFlag, DurationSetting, string][] = [
  ["heartbeatMs", "heartbeatMs", "--heartbeat-ms"],
  ["pongTimeoutMs", "pongTimeoutMs", "--pong-timeout-ms"],
  ["closeGraceMs", "closeGraceMs", "--close-grace-ms"],
  ["keepaliveMs", "keepAliveMs", "--keepalive-ms"],
  ["shutdownGraceMs", "shutdownGraceMs", "--shutdown-grace-ms"],
  ["headersTimeoutMs", "headersTimeoutMs", "--headers-timeout-ms"],
];

type ConfigFlag = "heartbeatMs" | "pongTimeoutMs" | "closeGraceMs" | "keepaliveMs" | "shutdownGraceMs" | "headersTimeoutMs";

/** apply's runtime settings: `--abortive-close on|off`, or false from `--no-abortive-close`. */
export const CONFIG_OPTIONS = {
  ...(Object.fromEntries(
    FLAG_TO_KEY.map(([flag, key, name]) => [flag, { flags: `${name} <ms>`, description: `runtime setting ${key} (default ${DEFAULT_RUNTIME_CONFIG[key]})`, parse: milliseconds(DEFAULT_RUNTIME_CONFIG[key]) }]),
  ) as Record<ConfigFlag, OptionSpec<number> & { parse: OptionParser<number> }>),
  abortiveClose: {
    flags: "--abortive-close <on|off>",
    description: "reset (RST) the sockets the fixes give up on, so the kernel keeps no orphan (default on)",
    negation: "close them gracefully instead (FIN; the kernel may keep them for minutes)",
    parse: onOff,
  },
} as const satisfies OptionTable;

export type ConfigValues = OptionValues<typeof CONFIG_OPTIONS>;
export type ConfigFlags = RawOptions<typeof CONFIG_OPTIONS>;

function onOff(raw: string, flag: string): boolean {
  const value = parseSwitch(raw);
  if (value === undefined) fail("OCP_BAD_OPTION", `${flag} must be on or off, got ${JSON.stringify(raw)}`, `for example ${flag} on (the default) or --no-abortive-close`);
  return value;
}

const SETTINGS_FILE = "settings.json";

/**
 * Runtime settings chosen at apply time live beside the install's record, so a later apply (the
 * upgrade hook, a new tool version) keeps the operator's choice instead of resetting to defaults.
 */
export async function resolveConfig(installDir: string, values: ConfigValues): Promise<{ config: RuntimeConfig; changed: boolean }> {
  const saved = await readSaved(installDir);
  const config: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG, ...saved };
  let changed = false;
  for (const [flag, key] of FLAG_TO_KEY) {
    const value = values[flag];
    if (value === undefined) continue;
    if (config[key] !== value) changed = true;
    config[key] = value;
  }
  if (values.abortiveClose !== undefined) {
    if (config.abortiveClose !== values.abortiveClose) changed = true;
    config.abortiveClose = values.abortiveClose;
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
