import fs from "node:fs/promises";
import path from "node:path";
import type { CommandIO } from "../cli/io.js";
import { applyCommand } from "./apply.js";
import { resolveTarget, type TargetOptions } from "./shared/target.js";
import { parseOptions, type RawOptions } from "./shared/option-schema.js";
import { WATCH_OPTIONS } from "./shared/option-tables.js";

/** --max-checks stops after that many checks (tests, cron-like use); default: until interrupted. */
export type WatchCommandOptions = TargetOptions & RawOptions<typeof WATCH_OPTIONS>;

const DEFAULT_INTERVAL_MS = 10_000;

/**
 * For installs with no service to hook: polls the release stamp and re-patches after an upgrade.
 * Polling rather than fs.watch because an upgrade replaces the whole package folder, and a watcher on
 * the old folder would see nothing after the first upgrade.
 */
export async function watchCommand(options: WatchCommandOptions, io: CommandIO): Promise<void> {
  // Checked before anything runs: `Number("abc")` made the interval NaN, and the loop spun at full CPU.
  const values = parseOptions(WATCH_OPTIONS, options);
  const intervalMs = values.interval ?? DEFAULT_INTERVAL_MS;
  const maxChecks = values.maxChecks ?? Number.POSITIVE_INFINITY;
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
