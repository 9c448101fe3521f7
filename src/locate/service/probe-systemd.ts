import type { LocateEnv } from "../env.js";
import type { ProbeResult, ServiceRef } from "../finding.js";
import { tryReadFile, tryReaddir } from "../fs-probe.js";
import { findingsForService, unreadableServiceDiagnostic } from "./service-findings.js";
import { parseSystemdExecStarts } from "./systemd-unit.js";

/** openclaw-gateway.service, openclaw-gateway-<profile>.service, and the pre-rename names. */
const GATEWAY_UNIT = /^(?:openclaw|clawdbot|moltbot)-gateway(?:-.+)?\.service$/;

/**
 * User units only: that is what `openclaw gateway install` writes (under $HOME, whatever
 * XDG_CONFIG_HOME says, but systemd also reads the XDG folder). A hand-made system unit runs as
 * another user, whose install --dir names explicitly.
 */
function unitDirs(env: LocateEnv): string[] {
  const configHome = env.env.XDG_CONFIG_HOME?.trim();
  const dirs = [
    env.path.join(env.homedir, ".config", "systemd", "user"),
    ...(configHome && env.path.isAbsolute(configHome) ? [env.path.join(configHome, "systemd", "user")] : []),
  ];
  return [...new Set(dirs)];
}

export async function probeSystemd(env: LocateEnv): Promise<ProbeResult> {
  const perDir = await Promise.all(
    unitDirs(env).map(async (dir) => {
      const units = (await tryReaddir(env.fs, dir)).filter((name) => GATEWAY_UNIT.test(name)).sort();
      return Promise.all(units.map((unitName) => probeUnit(env.path.join(dir, unitName), unitName, env)));
    }),
  );
  const results = perDir.flat();
  return { findings: results.flatMap((r) => r.findings), diagnostics: results.flatMap((r) => r.diagnostics) };
}

async function probeUnit(file: string, unitName: string, env: LocateEnv): Promise<ProbeResult> {
  const service: ServiceRef = { kind: "systemd", file, unitName };
  const text = await tryReadFile(env.fs, file);
  if (text === null) return { findings: [], diagnostics: [unreadableServiceDiagnostic(service, "cannot be read")] };
  const { commands } = parseSystemdExecStarts([text, ...(await readDropIns(file, env))], env.homedir);
  return findingsForService(service, commands, env);
}

/** Drop-ins apply in file-name order; an override may replace ExecStart=. */
async function readDropIns(unitFile: string, env: LocateEnv): Promise<string[]> {
  const dir = `${unitFile}.d`;
  const names = (await tryReaddir(env.fs, dir)).filter((name) => name.endsWith(".conf")).sort();
  const texts = await Promise.all(names.map((name) => tryReadFile(env.fs, env.path.join(dir, name))));
  return texts.filter((text): text is string => text !== null);
}
