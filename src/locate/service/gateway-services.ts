import type { Host } from "../../core/host.js";
import type { PackageEnv } from "../env.js";
import { isFile, tryReadFile, tryReaddir } from "../fs-probe.js";

/** How the gateway is started on this machine, as found on disk. */
export type ServiceKind = "systemd" | "launchd" | "schtasks";

/** A gateway service definition OpenClaw wrote. The hook's record stores it in this shape. */
export interface ServiceDefinition {
  kind: ServiceKind;
  /** Unit file name, launchd label, or task script name. */
  name: string;
  /** The file OpenClaw writes: the unit, the LaunchAgent plist, or gateway.cmd. */
  path: string;
  /** The OpenClaw profile the service belongs to; null for the default profile. */
  profile: string | null;
  /** A pre-rename unit (clawdbot-gateway, moltbot-gateway). */
  legacy: boolean;
}

/** What finding and reading service definitions look at: the machine, and its files through `fs`/`path`. */
export type ServiceHost = Host & PackageEnv;

/**
 * The one set of rules for where OpenClaw's gateway service definitions are; locate, the hook and
 * status all go through here. Only the platform's own service manager is looked at.
 */
export async function findGatewayServices(host: ServiceHost): Promise<ServiceDefinition[]> {
  if (host.platform === "linux") return findSystemdUnits(host);
  if (host.platform === "darwin") return findLaunchAgents(host);
  if (host.platform === "win32") return findTaskScripts(host);
  return [];
}

/** Names OpenClaw's own uninstall still recognises; a machine that never reinstalled may run them. */
const LEGACY_UNITS = ["clawdbot-gateway.service", "moltbot-gateway.service"];
const GATEWAY_UNIT = /^openclaw-gateway(?:-(.+))?\.service$/;

/** OpenClaw writes its units to ~/.config/systemd/user regardless of XDG_CONFIG_HOME. */
export function systemdUserUnitDir(host: ServiceHost): string {
  return host.path.join(host.homedir, ".config", "systemd", "user");
}

/** openclaw-gateway.service, openclaw-gateway-<profile>.service, $OPENCLAW_SYSTEMD_UNIT, the legacy names. */
async function findSystemdUnits(host: ServiceHost): Promise<ServiceDefinition[]> {
  const dir = systemdUserUnitDir(host);
  const override = unitOverride(host.env.OPENCLAW_SYSTEMD_UNIT);
  const found: ServiceDefinition[] = [];
  for (const entry of (await tryReaddir(host.fs, dir)).sort()) {
    const match = GATEWAY_UNIT.exec(entry);
    const legacy = LEGACY_UNITS.includes(entry);
    if (!match && !legacy && entry !== override) continue;
    const file = host.path.join(dir, entry);
    if (await isFile(host.fs, file)) found.push({ kind: "systemd", name: entry, path: file, profile: match?.[1] ?? null, legacy });
  }
  return found;
}

function unitOverride(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  return trimmed.endsWith(".service") ? trimmed : `${trimmed}.service`;
}

const GATEWAY_LABEL = "ai.openclaw.gateway";
/** ai.openclaw.<profile>; ai.openclaw.node* are node-host agents and ai.openclaw.update.* one-shot updaters. */
const PROFILE_PLIST = /^ai\.openclaw\.(?!node)(?!update\.)(.+)\.plist$/;

export function launchAgentsDir(host: ServiceHost): string {
  return host.path.join(host.homedir, "Library", "LaunchAgents");
}

/**
 * LaunchAgents with OpenClaw's label ($OPENCLAW_LAUNCHD_LABEL renames it) whose program arguments
 * run the `gateway` command. A binary plist cannot be searched, so it is kept for its reader to refuse.
 */
async function findLaunchAgents(host: ServiceHost): Promise<ServiceDefinition[]> {
  const dir = launchAgentsDir(host);
  const override = host.env.OPENCLAW_LAUNCHD_LABEL?.trim();
  const found: ServiceDefinition[] = [];
  for (const entry of (await tryReaddir(host.fs, dir)).sort()) {
    if (!entry.endsWith(".plist")) continue;
    const label = entry.slice(0, -".plist".length);
    const profileMatch = PROFILE_PLIST.exec(entry);
    if (!profileMatch && label !== override) continue;
    const file = host.path.join(dir, entry);
    const text = await tryReadFile(host.fs, file);
    if (text === null || (!text.startsWith("bplist") && !/<string>gateway<\/string>/.test(text))) continue;
    const profile = label === GATEWAY_LABEL || !profileMatch ? null : (profileMatch[1] ?? null);
    found.push({ kind: "launchd", name: label, path: file, profile, legacy: false });
  }
  return found;
}

/**
 * gateway.cmd lives in the OpenClaw state folder: $OPENCLAW_STATE_DIR, ~/.openclaw, or
 * ~/.openclaw-<profile>; OPENCLAW_TASK_SCRIPT and OPENCLAW_TASK_SCRIPT_NAME override it. Reading
 * the script avoids `schtasks /Query`, which is slow and its output locale-dependent.
 */
async function findTaskScripts(host: ServiceHost): Promise<ServiceDefinition[]> {
  const scriptName = taskScriptName(host);
  const candidates: Array<{ file: string; profile: string | null }> = [];
  for (const file of taskScriptsFromEnv(host)) candidates.push({ file, profile: null });
  for (const entry of (await tryReaddir(host.fs, host.homedir)).sort()) {
    if (entry === ".openclaw") candidates.push({ file: host.path.join(host.homedir, entry, scriptName), profile: null });
    else if (entry.startsWith(".openclaw-")) candidates.push({ file: host.path.join(host.homedir, entry, scriptName), profile: entry.slice(".openclaw-".length) });
  }
  const found: ServiceDefinition[] = [];
  const seen = new Set<string>();
  for (const { file, profile } of candidates) {
    const resolved = host.path.resolve(file);
    // Windows paths differ in case only when they name the same file.
    const key = host.platform === "win32" ? resolved.toLowerCase() : resolved;
    if (seen.has(key)) continue;
    seen.add(key);
    if (await isFile(host.fs, resolved)) found.push({ kind: "schtasks", name: host.path.basename(resolved), path: resolved, profile, legacy: false });
  }
  return found;
}

function taskScriptName(host: ServiceHost): string {
  return host.env.OPENCLAW_TASK_SCRIPT_NAME?.trim() || "gateway.cmd";
}

/** The task scripts the environment names, resolved: $OPENCLAW_TASK_SCRIPT, then $OPENCLAW_STATE_DIR's. */
export function taskScriptsFromEnv(host: ServiceHost): string[] {
  const files: string[] = [];
  const explicit = host.env.OPENCLAW_TASK_SCRIPT?.trim();
  if (explicit) files.push(host.path.resolve(explicit));
  const stateDir = host.env.OPENCLAW_STATE_DIR?.trim();
  if (stateDir) files.push(host.path.resolve(stateDir, taskScriptName(host)));
  return files;
}
