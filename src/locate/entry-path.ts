import type { PlatformPath } from "node:path";
import type { PackageEnv } from "./env.js";
import { isOpenClawPackage, readPackageJson } from "./package-json.js";

/**
 * Files that launch OpenClaw: the `openclaw.mjs` bin, and `dist/index.js` / `dist/entry.js` (or .mjs)
 * that service definitions and the installer wrapper run directly.
 */
const DIST_ENTRY_NAMES = new Set(["index.js", "index.mjs", "entry.js", "entry.mjs"]);
const BIN_NAME = "openclaw.mjs";

export function isEntryPath(file: string, path: PlatformPath): boolean {
  if (!path.isAbsolute(file)) return false;
  const base = normalizedName(path.basename(file), path);
  if (base === BIN_NAME) return true;
  return DIST_ENTRY_NAMES.has(base) && normalizedName(path.basename(path.dirname(file)), path) === "dist";
}

/** The package folder an entry file belongs to, by layout alone. */
export function rootOfEntryPath(file: string, path: PlatformPath): string {
  const base = normalizedName(path.basename(file), path);
  return base === BIN_NAME ? path.dirname(file) : path.dirname(path.dirname(file));
}

/** The package root for an entry path, or null when that folder is not an OpenClaw package. */
export async function openClawRootOfEntry(file: string, env: PackageEnv): Promise<string | null> {
  if (!isEntryPath(file, env.path)) return null;
  const root = rootOfEntryPath(env.path.normalize(file), env.path);
  return isOpenClawPackage(await readPackageJson(env.fs, env.path.join(root, "package.json"))) ? root : null;
}

/** Windows file names compare case-insensitively; POSIX ones do not. */
export function normalizedName(name: string, path: PlatformPath): string {
  return path.sep === "\\" ? name.toLowerCase() : name;
}
