import fs from "node:fs/promises";
import path from "node:path";
import { MANIFEST_FILE } from "./manifest.js";

/**
 * Moves an install's record out of the way under a name that says why, beside it in the install's
 * state folder, instead of deleting it: a record that could not be read and was dropped by
 * `revert --forget` (`unreadable`) stays for a person to look at. The name carries the time, so an earlier one is never replaced. Returns the new name, or
 * undefined when there was no record.
 */
export async function setRecordAside(installDir: string, label: string, at: Date = new Date()): Promise<string | undefined> {
  const stamp = at.toISOString().replace(/[:.]/g, "-");
  const aside = path.join(installDir, `manifest.${label}.${stamp}.json`);
  try {
    await fs.rename(path.join(installDir, MANIFEST_FILE), aside);
    return aside;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
