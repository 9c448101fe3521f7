import { currentHost, type Host } from "../core/host.js";
import { resolveStateDir } from "../core/state-dir.js";
import { spawnRunner, type CommandRunner } from "./runner.js";

/** Everything the hook operations touch outside their arguments; tests supply their own. */
export interface HookContext {
  host: Host;
  stateDir: string;
  runner: CommandRunner;
  /** How long to wait for another openclaw-patch run to release the state-folder lock. */
  lockWaitMs: number;
  now: () => Date;
}

export function currentHookContext(overrides: Partial<HookContext> = {}): HookContext {
  return {
    host: overrides.host ?? currentHost(),
    stateDir: overrides.stateDir ?? resolveStateDir(currentHost()),
    runner: overrides.runner ?? spawnRunner,
    lockWaitMs: overrides.lockWaitMs ?? 10_000,
    now: overrides.now ?? (() => new Date()),
  };
}

/** Generous: `openclaw gateway install --force` rewrites the service and may restart it. */
export const COMMAND_TIMEOUT_MS = 180_000;
