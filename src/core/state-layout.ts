import path from "node:path";
import { sha256 } from "./hash.js";

/**
 * Every path in the state folder (state-dir.ts says where the folder is):
 *
 *   openclaw-patch.lock              the folder's lock, held by apply, revert, recovery and the hook (lock.ts)
 *   objects/<sha256>                 original bytes of every patched file, named by their hash (objects.ts)
 *   installs/<id>/                   one folder per install: <id> is the sha256 of its real path, 16 hex digits
 *     manifest.json                  the install record (manifest.ts), with manifest.json.prev, the one it replaced,
 *                                    and manifest.<label>.<time>.json, an unreadable record set aside (record-aside.ts)
 *     journal.json                   the journal of a run in progress; staged records beside it (journal.ts)
 *     settings.json                  the runtime settings chosen at apply time (commands/shared/config.ts)
 *     last-hook.json                 what the last `apply --if-needed` did (commands/apply.ts, shown by status)
 *   hook/                            the upgrade hook's folder (hook/context.ts):
 *     hook-record.json               what the hook installed and where
 *     originals/<sha256>             the original bytes of every service file it changed
 *
 * Outside it: the package's own lock beside the package folder (lock.ts), and the gateway's trace under
 * ~/.openclaw/logs (runtime/tracing/file.ts), which belong to the package and the gateway.
 */
export const STATE_ENTRIES = {
  lock: "openclaw-patch.lock",
  objects: "objects",
  installs: "installs",
  hook: "hook",
} as const;

export const INSTALL_FILES = {
  manifest: "manifest.json",
  journal: "journal.json",
  settings: "settings.json",
  lastHook: "last-hook.json",
} as const;

export type InstallFile = keyof typeof INSTALL_FILES;

/** The folder that holds one install's record, journal and settings. */
export function installDirOf(stateDir: string, realRoot: string): string {
  return path.join(stateDir, STATE_ENTRIES.installs, sha256(realRoot).slice(0, 16));
}

export function objectsDirOf(stateDir: string): string {
  return path.join(stateDir, STATE_ENTRIES.objects);
}

export function stateLockFile(stateDir: string): string {
  return path.join(stateDir, STATE_ENTRIES.lock);
}

/** Where the upgrade hook keeps its files inside the state folder (never in the package). */
export interface HookLayout {
  dir: string;
  record: string;
  /** Original bytes of every service file the hook changed, named by their sha256. */
  originals: string;
}

export function hookLayout(stateDir: string): HookLayout {
  const dir = path.join(stateDir, STATE_ENTRIES.hook);
  return { dir, record: path.join(dir, "hook-record.json"), originals: path.join(dir, "originals") };
}

export function installFile(installDir: string, file: InstallFile): string {
  return path.join(installDir, INSTALL_FILES[file]);
}
