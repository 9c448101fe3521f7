import path from "node:path";
import type { LocateEnv } from "../env.js";
import { isEntryPath } from "../entry-path.js";
import { isLauncherName, resolveLauncher, type LauncherResolution } from "../launcher.js";

/** A wrapper in front of node is at most a few arguments in (`/bin/sh wrapper.sh envfile node …`). */
const MAX_WRAPPER_POSITION = 4;
/** node, nodejs, node22, node24.16, node.exe: the names Node binaries are installed under. */
const NODE_NAME = /^node(?:js)?(?:\d+(?:\.\d+)*)?(?:\.exe)?$/i;

/**
 * The Node binary a service's command line starts the gateway with: the first absolute path with a
 * Node's name among the first few arguments. The wrapper must start the gateway with this one and
 * verify must parse with it, not with the Node that runs openclaw-patch: OpenClaw releases need newer
 * Node than openclaw-patch does (2026.9 wants >= 24.16).
 */
export function nodeInServiceArguments(argv: readonly string[], platform: NodeJS.Platform): string | undefined {
  const p = platform === "win32" ? path.win32 : path.posix;
  return argv.slice(0, MAX_WRAPPER_POSITION).find((arg) => p.isAbsolute(arg) && NODE_NAME.test(p.basename(arg)));
}

/**
 * The OpenClaw package a service's program arguments start. In order of trust:
 * an entry file among the arguments (`node …/dist/index.js gateway`, possibly after an
 * OPENCLAW_WRAPPER or the 9.x launchd env wrapper); an `openclaw` launcher
 * (`/usr/bin/openclaw gateway`); a wrapper script that itself names the entry.
 */
export async function resolveServiceArgv(argv: readonly string[], env: LocateEnv): Promise<LauncherResolution> {
  const absolute = argv.filter((arg) => env.path.isAbsolute(arg));
  const entries = absolute.filter((arg) => isEntryPath(arg, env.path));
  const launchers = absolute.filter((arg) => !isEntryPath(arg, env.path) && isLauncherName(arg, env));
  const wrappers = absolute.slice(0, MAX_WRAPPER_POSITION).filter((arg) => !entries.includes(arg) && !launchers.includes(arg));

  const combined: LauncherResolution = { roots: [], missingEntries: [] };
  for (const group of [entries, launchers, wrappers]) {
    const resolutions = await Promise.all(group.map((file) => resolveLauncher(file, env)));
    for (const resolution of resolutions) {
      for (const root of resolution.roots) if (!combined.roots.includes(root)) combined.roots.push(root);
      combined.missingEntries.push(...resolution.missingEntries);
    }
    if (combined.roots.length > 0) return combined;
  }
  return combined;
}
