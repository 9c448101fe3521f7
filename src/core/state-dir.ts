import path from "node:path";
import os from "node:os";

export interface StateDirEnv {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homedir: string;
}

export function currentStateDirEnv(): StateDirEnv {
  return { env: process.env, platform: process.platform, homedir: os.homedir() };
}

/**
 * Where manifests, backups, journals and the lock live. Outside the OpenClaw package on purpose:
 * an upgrade replaces the package's dist/ and must not take our backups with it.
 * Order: OPENCLAW_PATCH_STATE_DIR, $XDG_STATE_HOME/openclaw-patch, ~/.local/state/openclaw-patch (Linux),
 * ~/.openclaw-patch (elsewhere).
 */
export function resolveStateDir({ env, platform, homedir }: StateDirEnv): string {
  const p = platform === "win32" ? path.win32 : path.posix;
  const explicit = env.OPENCLAW_PATCH_STATE_DIR;
  if (explicit) return p.resolve(explicit);
  if (env.XDG_STATE_HOME) return p.join(env.XDG_STATE_HOME, "openclaw-patch");
  if (platform === "linux") return p.join(homedir, ".local", "state", "openclaw-patch");
  return p.join(homedir, ".openclaw-patch");
}
