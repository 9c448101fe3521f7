import { readIfExists, sha256 } from "./file-store.js";
import { hasPlistHook } from "./launchd.js";
import type { RecordedFile } from "./record.js";
import { hasCmdHook } from "./schtasks.js";
import { HOOK_MARKER } from "./wrapper.js";

/**
 * What became of a file the hook wrote:
 * - intact: exactly the bytes the hook wrote;
 * - original: a modified file back to its bytes from before the hook;
 * - missing: deleted;
 * - superseded: a modified file rewritten by someone else without the hook's edit (typically
 *   OpenClaw regenerating the plist or gateway.cmd): nothing of the hook is left in it;
 * - changed: edited since, with the hook's edit (or, for a created file, its content) still there.
 */
export type FileState = "intact" | "original" | "missing" | "superseded" | "changed";

export interface FileCheck {
  file: RecordedFile;
  state: FileState;
  current: Buffer | undefined;
}

export async function checkFile(file: RecordedFile): Promise<FileCheck> {
  const current = await readIfExists(file.path);
  return { file, state: classify(file, current), current };
}

function classify(file: RecordedFile, current: Buffer | undefined): FileState {
  if (current === undefined) return "missing";
  const hash = sha256(current);
  if (hash === file.sha256) return "intact";
  if (file.action === "created") return "changed";
  if (hash === file.original?.sha256) return "original";
  return carriesHook(file, current) ? "changed" : "superseded";
}

export function carriesHook(file: RecordedFile, content: Buffer): boolean {
  if (file.role === "launchd-plist") return hasPlistHook(content);
  if (file.role === "task-script") return hasCmdHook(content);
  return content.includes(HOOK_MARKER);
}
