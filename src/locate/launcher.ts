import type { LocateEnv } from "./env.js";
import { isEntryPath, normalizedName, openClawRootOfEntry } from "./entry-path.js";
import { readScriptText, tryRealpath } from "./fs-probe.js";
import { absolutePathsInScript } from "./script-paths.js";

/** A launcher may call another launcher (a wrapper calling the npm shim); real chains are one or two deep. */
const MAX_LAUNCHER_DEPTH = 3;

const LAUNCHER_EXTENSIONS = ["", ".cmd", ".ps1", ".bat", ".exe", ".sh"];

export interface LauncherResolution {
  /** OpenClaw package roots the launcher starts, as written (not realpath'd). */
  roots: string[];
  /** Entry files it names whose folder is not an OpenClaw package (stale after an uninstall, say). */
  missingEntries: string[];
  /** True when the launcher is a binary or unreadable (a bun .exe, a Volta shim): no verdict possible. */
  opaque?: boolean;
}

/**
 * What OpenClaw package an executable starts: a symlink to `openclaw.mjs` (npm on POSIX), an
 * npm/pnpm/bun shim (sh, .cmd, .ps1), or a wrapper that runs `node …/dist/entry.js`.
 */
export async function resolveLauncher(file: string, env: LocateEnv, depth = 0): Promise<LauncherResolution> {
  const result: LauncherResolution = { roots: [], missingEntries: [] };
  if (isEntryPath(file, env.path)) {
    await addEntries([file], env, result);
    return result;
  }
  const real = await tryRealpath(env.fs, file);
  if (real === null) return { ...result, opaque: true };
  if (isEntryPath(real, env.path)) {
    await addEntries([real], env, result);
    return result;
  }
  const text = await readScriptText(env.fs, real);
  if (text === null) return { ...result, opaque: true };

  // `$basedir` is the folder of the path the shell was given, which for a symlinked shim is not the
  // folder of the real file; try both.
  const scriptDirs = unique([env.path.dirname(file), env.path.dirname(real)]);
  const mentioned = unique(scriptDirs.flatMap((scriptDir) => absolutePathsInScript(text, contextFor(env, scriptDir))));
  await addEntries(mentioned.filter((p) => isEntryPath(p, env.path)), env, result);
  if (result.roots.length > 0 || depth >= MAX_LAUNCHER_DEPTH) return result;

  for (const next of mentioned.filter((p) => isLauncherName(p, env) && p !== file && p !== real)) {
    const nested = await resolveLauncher(next, env, depth + 1);
    result.roots.push(...nested.roots.filter((root) => !result.roots.includes(root)));
    result.missingEntries.push(...nested.missingEntries);
  }
  return result;
}

/** True for `…/openclaw`, `…/openclaw.cmd` and friends: names that are themselves launchers. */
export function isLauncherName(file: string, env: Pick<LocateEnv, "path">): boolean {
  const base = normalizedName(env.path.basename(file), env.path);
  return LAUNCHER_EXTENSIONS.some((ext) => base === `openclaw${ext}`);
}

async function addEntries(entries: string[], env: LocateEnv, into: LauncherResolution): Promise<void> {
  const roots = await Promise.all(entries.map((entry) => openClawRootOfEntry(entry, env)));
  roots.forEach((root, index) => {
    if (root === null) into.missingEntries.push(entries[index] ?? "");
    else if (!into.roots.includes(root)) into.roots.push(root);
  });
}

function contextFor(env: LocateEnv, scriptDir: string) {
  return { scriptDir, homedir: env.homedir, path: env.path, vars: env.env };
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
