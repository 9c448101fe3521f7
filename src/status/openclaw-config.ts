import fs from "node:fs/promises";
import path from "node:path";
import { warning, type Diagnostic } from "../core/diagnostics.js";
import type { Host } from "../core/host.js";
import { parseJson5ish } from "./json5ish.js";

/** The few gateway settings openclaw-patch reads from the operator's OpenClaw config. */
export interface GatewayConfigFacts {
  /** The config file looked at (it may not exist). */
  file: string;
  found: boolean;
  port?: number;
  /** `gateway.handshakeTimeoutMs` (2026.4.29+ reads it; earlier releases only the environment). */
  handshakeTimeoutMs?: number;
  diagnostics: Diagnostic[];
}

export type ConfigLookup = Pick<Host, "env" | "homedir">;

/** The file OpenClaw itself reads: $OPENCLAW_CONFIG_PATH, else $OPENCLAW_STATE_DIR/openclaw.json, else ~/.openclaw/openclaw.json. */
export function openClawConfigPath({ env, homedir }: ConfigLookup): string {
  const explicit = env.OPENCLAW_CONFIG_PATH?.trim();
  if (explicit) return expandHome(explicit, homedir);
  const stateDir = env.OPENCLAW_STATE_DIR?.trim();
  if (stateDir) return path.join(expandHome(stateDir, homedir), "openclaw.json");
  return path.join(homedir, ".openclaw", "openclaw.json");
}

function expandHome(file: string, homedir: string): string {
  if (file === "~") return homedir;
  if (file.startsWith("~/") || file.startsWith("~\\")) return path.join(homedir, file.slice(2));
  return path.resolve(file);
}

/** Never throws: a missing or unreadable config only means the next source of a setting is used. */
export async function readGatewayConfig(lookup: ConfigLookup): Promise<GatewayConfigFacts> {
  const file = openClawConfigPath(lookup);
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const diagnostics =
      code === "ENOENT"
        ? []
        : [warning("OCP_OPENCLAW_CONFIG_UNREADABLE", `Could not read the OpenClaw config ${file} (${code ?? String(error)}).`, "Check its permissions, or pass --port.", { file })];
    return { file, found: false, diagnostics };
  }
  const value = parseJson5ish(text);
  if (typeof value !== "object" || value === null) {
    return {
      file,
      found: true,
      diagnostics: [warning("OCP_OPENCLAW_CONFIG_UNPARSED", `Could not parse the OpenClaw config ${file}; its gateway settings were not used.`, "Pass --port (and --handshake-timeout-ms for verify --live) explicitly.", { file })],
    };
  }
  const gateway = (value as { gateway?: unknown }).gateway;
  const settings = typeof gateway === "object" && gateway !== null ? (gateway as Record<string, unknown>) : {};
  const facts: GatewayConfigFacts = { file, found: true, diagnostics: [] };
  const port = asPort(settings.port);
  if (port !== undefined) facts.port = port;
  const handshake = settings.handshakeTimeoutMs;
  if (typeof handshake === "number" && Number.isFinite(handshake) && handshake > 0) facts.handshakeTimeoutMs = handshake;
  return facts;
}

export function asPort(value: unknown): number | undefined {
  const number = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof number === "number" && Number.isInteger(number) && number > 0 && number <= 65_535 ? number : undefined;
}
