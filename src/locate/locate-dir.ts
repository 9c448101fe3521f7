import type { Diagnostic } from "../core/diagnostics.js";
import { currentPackageEnv, type PackageEnv } from "./env.js";
import { foundBy } from "./finding.js";
import { tryRealpath } from "./fs-probe.js";
import type { Install } from "./located-install.js";
import { resolvePackageRoot } from "./package-root.js";
import { readRelease } from "./release.js";

/**
 * The fast path for `--dir PATH` and for a root recorded by an earlier run: reads a few small files,
 * spawns nothing. Throws OCP_NOT_OPENCLAW when PATH is not (in) an OpenClaw package.
 */
export async function locateDir(dir: string, env: PackageEnv = currentPackageEnv()): Promise<{ install: Install; diagnostics: Diagnostic[] }> {
  const root = await resolvePackageRoot(dir, env);
  const [realRoot, release] = await Promise.all([tryRealpath(env.fs, root), readRelease(root, env)]);
  const { diagnostics, ...facts } = release;
  return { install: { root, realRoot: realRoot ?? root, ...facts, foundBy: [foundBy("dir", dir)] }, diagnostics };
}
