import fs from "node:fs/promises";
import path from "node:path";
import { sha256 } from "../core/hash.js";
import { writeFileDurably } from "../core/fs-safe.js";

export { sha256 };

export async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Writes through a temporary file and a rename (the tool's one durable write), so a crash never leaves
 * a half-written service definition and a link at the destination is replaced, not written through;
 * the mode of the file being replaced is kept.
 */
export async function writeFileAtomic(file: string, content: Buffer | string, mode?: number): Promise<void> {
  const existing = await fs.stat(file).catch(() => undefined);
  await writeFileDurably(file, content, { mode: mode ?? (existing ? existing.mode & 0o7777 : 0o644) });
}

/** Stores bytes under their sha256 and returns that name; storing the same bytes twice is a no-op. */
export async function storeOriginal(dir: string, content: Buffer): Promise<string> {
  const name = sha256(content);
  const file = path.join(dir, name);
  const existing = await readIfExists(file);
  if (existing !== undefined && sha256(existing) === name) return name;
  await fs.mkdir(dir, { recursive: true });
  await writeFileAtomic(file, content, 0o600);
  return name;
}

export async function loadOriginal(dir: string, name: string): Promise<Buffer | undefined> {
  const content = await readIfExists(path.join(dir, name));
  return content !== undefined && sha256(content) === name ? content : undefined;
}
