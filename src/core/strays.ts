import fs from "node:fs/promises";
import path from "node:path";
import { TEMP_FILE_PATTERN } from "./fs-safe.js";
import { processAlive } from "./process-alive.js";

/**
 * Every temp and probe file this tool makes is named `.<name>.ocp-<pid>-<random>.tmp` (fs-safe.ts
 * tempPathFor). The journal names the ones a transaction makes in the package, but a run killed before
 * its journal existed, or by an older version of this tool, can leave one that no journal names. Such
 * a file whose process is gone is ours and dead: remove it. A live process's temps are left alone.
 */
export async function sweepStrays(dirs: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of new Set(dirs)) {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!TEMP_FILE_PATTERN.test(name)) continue;
      const pid = Number(/\.ocp-(\d+)-[0-9a-f]{8}\.tmp$/.exec(name)?.[1]);
      if (pid === process.pid || processAlive(pid)) continue;
      await fs.rm(path.join(dir, name), { force: true });
      removed.push(path.join(dir, name));
    }
  }
  return removed;
}

/** The object store's fan-out folders, where a killed backup write leaves its temp. */
export async function objectFolders(objectsDir: string): Promise<string[]> {
  const names = await fs.readdir(objectsDir).catch(() => [] as string[]);
  return names.filter((n) => /^[0-9a-f]{2}$/.test(n)).map((n) => path.join(objectsDir, n));
}
