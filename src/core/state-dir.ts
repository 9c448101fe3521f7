import fs from "node:fs/promises";
import path from "node:path";
import { fail } from "./diagnostics.js";
import type { Host } from "./host.js";

/**
 * Where manifests, backups, journals and the lock live. Outside the OpenClaw package on purpose:
 * an upgrade replaces the package's dist/ and must not take our backups with it.
 * Order: OPENCLAW_PATCH_STATE_DIR, $XDG_STATE_HOME/openclaw-patch, ~/.local/state/openclaw-patch (Linux),
 * ~/.openclaw-patch (elsewhere).
 */
export function resolveStateDir({ env, platform, homedir }: Host): string {
  const p = platform === "win32" ? path.win32 : path.posix;
  const explicit = env.OPENCLAW_PATCH_STATE_DIR;
  if (explicit) return p.resolve(explicit);
  if (env.XDG_STATE_HOME) return p.join(env.XDG_STATE_HOME, "openclaw-patch");
  if (platform === "linux") return p.join(homedir, ".local", "state", "openclaw-patch");
  return p.join(homedir, ".openclaw-patch");
}

/**
 * Refuses a state path that can never hold the state folder, before anything reads or writes it:
 * a regular file, a symlink to a file, a dangling symlink (mkdir would follow it or fail halfway), or
 * a path under a file. A path that does not exist yet is fine: the first write creates it.
 */
export async function checkStateDir(stateDir: string): Promise<void> {
  const link = await fs.lstat(stateDir).catch((error: NodeJS.ErrnoException) => error);
  if (link instanceof Error) {
    if (link.code === "ENOENT") return;
    if (link.code === "ENOTDIR") unusable(stateDir, "a folder on its path is a file", "under-a-file");
    return;
  }
  if (link.isDirectory()) return;
  if (!link.isSymbolicLink()) unusable(stateDir, "it is a file, not a folder", "file");
  const target = await fs.stat(stateDir).catch(() => undefined);
  if (target === undefined) unusable(stateDir, `it is a symlink to ${await fs.readlink(stateDir).catch(() => "?")}, which does not exist`, "dangling-symlink");
  if (!target.isDirectory()) unusable(stateDir, "it is a symlink to a file, not to a folder", "symlink-to-file");
}

function unusable(stateDir: string, why: string, kind: string): never {
  return fail(
    "OCP_STATE_DIR_UNUSABLE",
    `the state folder ${stateDir} cannot be used: ${why}`,
    "point --state-dir (or OPENCLAW_PATCH_STATE_DIR) at a folder, or move that file or link out of the way; nothing was written",
    { stateDir, kind },
  );
}
