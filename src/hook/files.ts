import fs from "node:fs/promises";
import { writeFileDurably } from "../core/fs-safe.js";

export async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * The tool's one durable write (a temporary file and a rename), so a crash never leaves a
 * half-written service definition and a link at the destination is replaced, not written through;
 * the mode of the file being replaced is kept.
 */
export async function writeKeepingMode(file: string, content: Buffer | string, mode?: number): Promise<void> {
  const existing = await fs.stat(file).catch(() => undefined);
  await writeFileDurably(file, content, { mode: mode ?? (existing ? existing.mode & 0o7777 : 0o644) });
}
