import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fail } from "./diagnostics.js";
import { processAlive } from "./process-alive.js";
import { stateLockFile } from "./state-layout.js";

export interface LockOptions {
  /** How long to wait for another run to finish; 0 means fail at once. */
  waitMs: number;
  /** Poll interval while waiting. */
  pollMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

/**
 * One lock per state folder, shared by apply, revert and the upgrade hook, so that a hook run
 * at gateway start and a manual run never interleave. The lock file names its owner; a lock whose
 * owner process is gone (killed run) is taken over, never waited on.
 */
export async function withLock<T>(stateDir: string, command: string, options: LockOptions, body: () => Promise<T>): Promise<T> {
  const release = await acquireLock(stateDir, command, options);
  try {
    return await body();
  } finally {
    await release();
  }
}

/**
 * The lock of one package: a file beside the package folder (`.openclaw.openclaw-patch.lock` next to
 * `openclaw/`), so two runs with different state folders on one package are serialised too. Beside,
 * not inside: a run killed while holding it must not leave the package's tree changed.
 */
export function packageLockFile(realRoot: string): string {
  return path.join(path.dirname(realRoot), `.${path.basename(realRoot)}.openclaw-patch.lock`);
}

/**
 * What apply, revert, recovery and the re-patch hold: the state folder's lock (its objects and
 * settings are shared by every install it records), then the package's. Always in that order, so two
 * runs never wait on each other in a cycle.
 */
export async function withInstallLock<T>(stateDir: string, realRoot: string, command: string, options: LockOptions, body: () => Promise<T>): Promise<T> {
  return withLock(stateDir, command, options, async () => {
    const release = await acquireLockFile(packageLockFile(realRoot), command, options).catch((error: NodeJS.ErrnoException) => {
      // A folder we may not create a file in holds a package we may not write either: the run fails
      // at its write check, or only reads (apply --if-needed on an up-to-date install). Let it.
      if (error.code === "EACCES" || error.code === "EPERM" || error.code === "EROFS") return async () => undefined;
      throw error;
    });
    try {
      return await body();
    } finally {
      await release();
    }
  });
}

export async function acquireLock(stateDir: string, command: string, options: LockOptions): Promise<() => Promise<void>> {
  await fs.mkdir(stateDir, { recursive: true });
  return acquireLockFile(stateLockFile(stateDir), command, options);
}

async function acquireLockFile(file: string, command: string, options: LockOptions): Promise<() => Promise<void>> {
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command };
  const deadline = Date.now() + options.waitMs;
  const pollMs = options.pollMs ?? 100;
  for (let attempt = 0; attempt < 100_000; attempt++) {
    try {
      const handle = await fs.open(file, "wx");
      await handle.writeFile(JSON.stringify(owner));
      await handle.close();
      return async () => {
        await fs.rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readOwner(file);
    if (holder === undefined || !isAlive(holder)) {
      await takeOverStaleLock(file, holder);
      continue;
    }
    if (Date.now() >= deadline) {
      fail(
        "OCP_LOCKED",
        `another openclaw-patch run holds the lock (${holder.command}, pid ${holder.pid}, since ${holder.startedAt})`,
        options.waitMs > 0
          ? "wait for it to finish, or pass a longer --wait"
          : "wait for it to finish and run again, or pass --wait SECONDS",
        { lockFile: file, holder },
      );
    }
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
  fail("OCP_LOCKED", "could not take the lock", "run again", { lockFile: file });
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, "utf8")) as Partial<LockOwner>;
    if (typeof parsed.pid !== "number") return undefined;
    return parsed as LockOwner;
  } catch {
    return undefined;
  }
}

function isAlive(owner: LockOwner): boolean {
  // A lock from another host (shared home folder) cannot be probed; treat it as alive.
  if (owner.host !== os.hostname()) return true;
  if (owner.pid === process.pid) return false;
  return processAlive(owner.pid);
}

/**
 * Two runs may find the same stale lock at once. Only the run that creates the takeover guard may
 * remove the lock, and it re-reads the owner first, so a fresh lock taken by a third run in between
 * is never removed. A guard left by a run killed mid-takeover expires after a few seconds.
 */
async function takeOverStaleLock(file: string, holder: LockOwner | undefined): Promise<void> {
  // An unreadable lock may be one being written right now: give its writer a moment.
  if (holder === undefined && (await ageMs(file)) < 2_000) {
    await sleep(50);
    return;
  }
  const guard = `${file}.takeover`;
  try {
    await (await fs.open(guard, "wx")).close();
  } catch {
    if ((await ageMs(guard)) > 5_000) await fs.rm(guard, { force: true });
    await sleep(20);
    return;
  }
  try {
    const current = await readOwner(file);
    const unchanged = current?.pid === holder?.pid && current?.startedAt === holder?.startedAt;
    if (unchanged) await fs.rm(file, { force: true });
  } finally {
    await fs.rm(guard, { force: true });
  }
}

async function ageMs(file: string): Promise<number> {
  const stat = await fs.stat(file).catch(() => undefined);
  return stat === undefined ? Number.POSITIVE_INFINITY : Date.now() - stat.mtimeMs;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
