import fs from "node:fs/promises";
import path from "node:path";
import type { CommandIO } from "../cli/io.js";
import { applyCommand } from "./apply.js";
import { resolveTarget, type TargetOptions } from "./shared/target.js";
import { countOption, secondsOption } from "./shared/option-values.js";

export interface WatchCommandOptions extends TargetOptions {
  interval?: string;
  /** Stop after this many checks (tests, cron-like use); default: until interrupted. */
  maxChecks?: string;
}

const DEFAULT_INTERVAL_S = 10;
const INTERVAL_SECONDS = { min: 1, max: 86_400 };
const MAX_CHECKS = { min: 1, max: Number.MAX_SAFE_INTEGER };

/**
 * For installs with no service to hook: polls the release stamp and re-patches after an upgrade.
 * Polling rather than fs.watch because an upgrade replaces the whole package folder, and a watcher on
 * the old folder would see nothing after the first upgrade.
 */
export async function watchCommand(options: WatchCommandOptions, io: CommandIO): Promise<void> {
  // Checked before anything runs: `Number("abc")` made the interval NaN, and the loop spun at full CPU.
  const intervalMs = secondsOption("--interval", options.interval ?? DEFAULT_INTERVAL_S, INTERVAL_SECONDS, String(DEFAULT_INTERVAL_S));
  const maxChecks = options.maxChecks === undefined ? Number.POSITIVE_INFINITY : countOption("--max-checks", options.maxChecks, MAX_CHECKS, "checks");
  const target = await resolveTarget(options);
  const root = target.install.realRoot;
  const common = { dir: root, ...(options.stateDir ? { stateDir: options.stateDir } : {}) };
  io.err(`openclaw-patch watch: ${root}, checking every ${intervalMs / 1000} s (Ctrl-C to stop)`);

  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    let last = await stamp(root);
    await applyCommand({ ...common, ifNeeded: true }, io);
    for (let check = 1; check < maxChecks && !stopped; check++) {
      await sleepUnless(intervalMs, () => stopped);
      if (stopped) break;
      const now = await stamp(root);
      if (now === last) continue;
      // An upgrade in progress rewrites files for a while: wait until the stamp holds still.
      await sleepUnless(Math.min(intervalMs, 2_000), () => stopped);
      if ((await stamp(root)) !== now) continue;
      last = now;
      io.err(`openclaw-patch watch: the install changed; re-applying`);
      await applyCommand({ ...common, ifNeeded: true }, io);
    }
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
  }
}

async function stamp(root: string): Promise<string> {
  const parts: string[] = [];
  for (const rel of ["package.json", "dist/build-info.json", "dist"]) {
    const st = await fs.stat(path.join(root, rel)).catch(() => undefined);
    parts.push(st ? `${st.ino}:${st.size}:${st.mtimeMs}` : "-");
  }
  return parts.join("|");
}

async function sleepUnless(ms: number, stopped: () => boolean): Promise<void> {
  const step = 200;
  for (let waited = 0; waited < ms && !stopped(); waited += step) await new Promise((resolve) => setTimeout(resolve, Math.min(step, ms - waited)));
}
