import fs from "node:fs/promises";
import path from "node:path";
import { fail } from "./diagnostics.js";

/**
 * A record names files by path relative to the package, and a path can look inside the package while a
 * symlinked folder on the way leads out of it (dist/ext -> /elsewhere). Text checks cannot see that; the
 * file system can. Returns the entries whose real location is not inside the package, or that are
 * links themselves (the tool never makes one, so a link there was planted).
 */
export async function escapingPaths(realRoot: string, rels: readonly string[]): Promise<string[]> {
  const escaping: string[] = [];
  for (const rel of rels) if (!(await staysInside(realRoot, rel))) escaping.push(rel);
  return escaping;
}

async function staysInside(realRoot: string, rel: string): Promise<boolean> {
  const file = path.join(realRoot, ...rel.split("/"));
  if (!isWithin(realRoot, file)) return false;
  const st = await fs.lstat(file).catch(() => undefined);
  if (st?.isSymbolicLink()) return false;
  // The file may not exist yet (the runtime apply adds): judge the nearest folder that does.
  let dir = path.dirname(file);
  for (let depth = 0; depth < 256; depth++) {
    const real = await fs.realpath(dir).catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? undefined : Promise.reject(error)));
    if (real !== undefined) return isWithin(realRoot, real);
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
  return false;
}

export function isWithin(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * A package whose dist/ is a link to another folder would be patched in that other folder, which may
 * be shared or belong to something else. Refused like a linked bundle: the operator reinstalls plainly.
 */
export async function assertPlainPackage(realRoot: string): Promise<void> {
  const dist = path.join(realRoot, "dist");
  const st = await fs.lstat(dist).catch(() => undefined);
  if (st?.isSymbolicLink()) {
    const target = await fs.readlink(dist).catch(() => "?");
    fail(
      "OCP_PACKAGE_SYMLINK",
      `${dist} is a symbolic link (to ${target}); openclaw-patch patches only files that live inside the package`,
      "reinstall OpenClaw so that dist/ is a plain folder (npm i -g openclaw@<version>), or pass --dir with the package the link points into",
      { dist, target },
    );
  }
}
