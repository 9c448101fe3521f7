import fs from "node:fs/promises";
import path from "node:path";

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
