import path from "node:path";
import { currentHost, type Host } from "../core/host.js";
import { resolveStateDir } from "../core/state-dir.js";
import { runProcess, type ProcessRunner } from "../core/run-process.js";
import type { ShownCommand } from "./commands.js";

/** Everything the hook operations touch outside their arguments; tests supply their own. */
export interface HookContext {
  host: Host;
  stateDir: string;
  runner: ProcessRunner<ShownCommand>;
  /** How long to wait for another openclaw-patch run to release the state-folder lock. */
  lockWaitMs: number;
  now: () => Date;
}

export function currentHookContext(overrides: Partial<HookContext> = {}): HookContext {
  return {
    host: overrides.host ?? currentHost(),
    stateDir: overrides.stateDir ?? resolveStateDir(currentHost()),
    runner: overrides.runner ?? runProcess,
    lockWaitMs: overrides.lockWaitMs ?? 10_000,
    now: overrides.now ?? (() => new Date()),
  };
}

/** Generous: `openclaw gateway install --force` rewrites the service and may restart it. */
export const COMMAND_LIMITS = { timeoutMs: 180_000 };

