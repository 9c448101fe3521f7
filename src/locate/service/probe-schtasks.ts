import type { LocateEnv } from "../env.js";
import type { ProbeResult, ServiceRef } from "../finding.js";
import { tryReadFile, tryReaddir } from "../fs-probe.js";
import { parseGatewayCmd } from "./gateway-cmd.js";
import { findingsForService } from "./service-findings.js";

const DEFAULT_TASK_NAME = "OpenClaw Gateway";

interface TaskScript {
  file: string;
  taskName?: string;
}

/**
 * The Scheduled Task's script: `$OPENCLAW_TASK_SCRIPT`, else `<state dir>/gateway.cmd` for the
 * state dir in the environment and for every ~/.openclaw and ~/.openclaw-<profile> folder.
 * Reading the script avoids `schtasks /Query`, which is slow and its output locale-dependent.
 */
export async function probeSchtasks(env: LocateEnv): Promise<ProbeResult> {
  const scripts = await candidateScripts(env);
  const results = await Promise.all(scripts.map((script) => probeScript(script, env)));
  return { findings: results.flatMap((r) => r.findings), diagnostics: results.flatMap((r) => r.diagnostics) };
}

async function candidateScripts(env: LocateEnv): Promise<TaskScript[]> {
  const scriptName = env.env.OPENCLAW_TASK_SCRIPT_NAME?.trim() || "gateway.cmd";
  const envTaskName = env.env.OPENCLAW_WINDOWS_TASK_NAME?.trim() || profileTaskName(env.env.OPENCLAW_PROFILE);
  const scripts: TaskScript[] = [];
  const explicit = env.env.OPENCLAW_TASK_SCRIPT?.trim();
  if (explicit) scripts.push({ file: env.path.resolve(explicit), taskName: envTaskName });
  const stateDir = env.env.OPENCLAW_STATE_DIR?.trim();
  if (stateDir) scripts.push({ file: env.path.join(env.path.resolve(stateDir), scriptName), taskName: envTaskName });

  const homeEntries = await tryReaddir(env.fs, env.homedir);
  for (const name of homeEntries.sort()) {
    const profile = /^\.openclaw(?:-(.+))?$/i.exec(name);
    if (profile === null) continue;
    scripts.push({ file: env.path.join(env.homedir, name, scriptName), taskName: profileTaskName(profile[1]) });
  }
  const seen = new Set<string>();
  return scripts.filter(({ file }) => {
    const key = file.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function profileTaskName(profile: string | undefined): string {
  const trimmed = profile?.trim();
  return trimmed && trimmed.toLowerCase() !== "default" ? `${DEFAULT_TASK_NAME} (${trimmed})` : DEFAULT_TASK_NAME;
}

async function probeScript({ file, taskName }: TaskScript, env: LocateEnv): Promise<ProbeResult> {
  const text = await tryReadFile(env.fs, file);
  // Most state dirs have no gateway.cmd: the service was never installed there.
  if (text === null) return { findings: [], diagnostics: [] };
  const service: ServiceRef = { kind: "schtasks", file, ...(taskName !== undefined ? { taskName } : {}) };
  const { commands } = parseGatewayCmd(text, env.path.dirname(file), env.env);
  return findingsForService(service, commands, env);
}
