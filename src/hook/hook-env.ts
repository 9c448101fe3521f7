import os from "node:os";

/** The facts about the machine the hook code reads; tests pass their own with a temporary home. */
export interface HookEnv {
  platform: NodeJS.Platform;
  homedir: string;
  env: Record<string, string | undefined>;
  /** Needed for `launchctl … gui/<uid>`; undefined on Windows. */
  uid: number | undefined;
}

export function currentHookEnv(): HookEnv {
  return { platform: process.platform, homedir: os.homedir(), env: process.env, uid: process.getuid?.() };
}
