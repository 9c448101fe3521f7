import { RUN_TIMEOUT_MS, type LocateEnv } from "./env.js";
import { foundBy, type Finding, type ProbeResult } from "./finding.js";
import { tryReaddir } from "./fs-probe.js";
import { isOpenClawPackage, readPackageJson } from "./package-json.js";

/** `npm root -g` / `pnpm root -g`: the global node_modules folder of whichever Node is on PATH. */
export async function probePackageManagerRoot(env: LocateEnv, manager: "npm" | "pnpm"): Promise<ProbeResult> {
  // npm and pnpm are .cmd files on Windows, which Node only spawns through a shell.
  const result = await env.run({ argv: [manager, "root", "-g"] }, { timeoutMs: RUN_TIMEOUT_MS, shell: env.platform === "win32" }).catch(() => null);
  if (result === null || result.code !== 0) return { findings: [], diagnostics: [] };
  const lines = result.stdout.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "");
  // npm may print warnings first; the answer is the last line.
  const globalRoot = lines[lines.length - 1];
  if (globalRoot === undefined || !env.path.isAbsolute(globalRoot)) return { findings: [], diagnostics: [] };
  return findingsFor([env.path.join(globalRoot, "openclaw")], `${manager}-root`, globalRoot, env);
}

/** bun's global install folder, `$BUN_INSTALL` or ~/.bun. */
export async function probeBunGlobal(env: LocateEnv): Promise<ProbeResult> {
  const bunHome = env.env.BUN_INSTALL?.trim() || env.path.join(env.homedir, ".bun");
  const globalModules = env.path.join(bunHome, "install", "global", "node_modules");
  return findingsFor([env.path.join(globalModules, "openclaw")], "bun-global", globalModules, env);
}

/**
 * The official installer's private Node: `<prefix>/tools/node-vX/lib/node_modules/openclaw`, prefix
 * being `$OPENCLAW_PREFIX` or ~/.openclaw. `tools/node` is a symlink to the current node-vX; listing
 * every node-* folder also finds versions left behind by earlier installs.
 */
export async function probeInstallerTools(env: LocateEnv): Promise<ProbeResult> {
  const prefixes = [...new Set([env.env.OPENCLAW_PREFIX?.trim(), env.path.join(env.homedir, ".openclaw")])].filter(
    (prefix): prefix is string => prefix !== undefined && prefix !== "",
  );
  const results = await Promise.all(
    prefixes.map(async (prefix) => {
      const toolsDir = env.path.join(prefix, "tools");
      const nodeDirs = (await tryReaddir(env.fs, toolsDir)).filter((name) => name === "node" || name.startsWith("node-")).sort();
      // Windows Node distributions keep node_modules at the top instead of under lib/.
      const packageDirs = nodeDirs.flatMap((name) => [
        env.path.join(toolsDir, name, "lib", "node_modules", "openclaw"),
        env.path.join(toolsDir, name, "node_modules", "openclaw"),
      ]);
      return findingsFor(packageDirs, "openclaw-tools", toolsDir, env);
    }),
  );
  return { findings: results.flatMap((r) => r.findings), diagnostics: [] };
}

/** npm's default global folder on Windows, found even when npm itself is not on PATH. */
export async function probeAppDataNpm(env: LocateEnv): Promise<ProbeResult> {
  if (env.platform !== "win32") return { findings: [], diagnostics: [] };
  const appData = env.env.APPDATA?.trim() || env.path.join(env.homedir, "AppData", "Roaming");
  const globalModules = env.path.join(appData, "npm", "node_modules");
  return findingsFor([env.path.join(globalModules, "openclaw")], "appdata-npm", globalModules, env);
}

async function findingsFor(packageDirs: string[], source: string, evidence: string, env: LocateEnv): Promise<ProbeResult> {
  const verified = await Promise.all(
    packageDirs.map(async (dir) => (isOpenClawPackage(await readPackageJson(env.fs, env.path.join(dir, "package.json"))) ? dir : null)),
  );
  const findings: Finding[] = verified
    .filter((dir): dir is string => dir !== null)
    .map((root) => ({ root, foundBy: foundBy(source, evidence) }));
  return { findings, diagnostics: [] };
}
