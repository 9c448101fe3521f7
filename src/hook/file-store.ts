import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { sha256 } from "../core/hash.js";

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
 * Writes through a temporary file and a rename, so a crash never leaves a half-written service
 * definition; the mode of the file being replaced is kept.
 */
export async function writeFileAtomic(file: string, content: Buffer | string, mode?: number): Promise<void> {
  const existing = await fs.stat(file).catch(() => undefined);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.ocp-hook-${randomBytes(4).toString("hex")}.tmp`);
  await fs.writeFile(temp, content, { mode: mode ?? existing?.mode ?? 0o644 });
  try {
    if (mode !== undefined) await fs.chmod(temp, mode);
    else if (existing !== undefined) await fs.chmod(temp, existing.mode & 0o7777);
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
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
