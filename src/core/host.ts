import os from "node:os";

/**
 * The machine facts that code reading its surroundings takes as one argument: locating installs,
 * finding the gateway service, the state folder, the hook. Tests pass their own (a temporary home,
 * another platform's rules).
 */
export interface Host {
  platform: NodeJS.Platform;
  homedir: string;
  env: Record<string, string | undefined>;
  /** For `launchctl … gui/<uid>`; undefined on Windows. */
  uid?: number | undefined;
}

export function currentHost(): Host {
  return { platform: process.platform, homedir: os.homedir(), env: process.env, uid: process.getuid?.() };
}
