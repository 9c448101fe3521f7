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
 *   hook/                            the upgrade hook's record and the originals of the service files it changed (hook/layout.ts)
 *
 * Outside it: the package's own lock beside the package folder (lock.ts), and the gateway's trace under
 * ~/.openclaw/logs (runtime/trace-file.ts), which belong to the package and the gateway.
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

export function installFile(installDir: string, file: InstallFile): string {
  return path.join(installDir, INSTALL_FILES[file]);
}
