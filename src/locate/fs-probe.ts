import type { LocateFs } from "./env.js";

/**
 * Probing answers "is it there?" Missing files, permission errors and broken links all mean "no"
 * here; the caller decides whether that absence deserves a diagnostic.
 */
export async function tryReadFile(fs: LocateFs, file: string): Promise<string | null> {
  try {
    return await fs.readFile(file);
  } catch {
    return null;
  }
}

export async function tryRealpath(fs: LocateFs, file: string): Promise<string | null> {
  try {
    return await fs.realpath(file);
  } catch {
    return null;
  }
}

export async function tryReaddir(fs: LocateFs, dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

export async function isFile(fs: LocateFs, file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

export async function isDirectory(fs: LocateFs, dir: string): Promise<boolean> {
  try {
    return (await fs.stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/** Scripts we parse are a few kilobytes; anything bigger or binary is not a launcher we understand. */
export const MAX_SCRIPT_BYTES = 256 * 1024;

export async function readScriptText(fs: LocateFs, file: string): Promise<string | null> {
  try {
    const info = await fs.stat(file);
    if (!info.isFile() || info.size > MAX_SCRIPT_BYTES) return null;
    const text = await fs.readFile(file);
    return text.includes("\u0000") ? null : text;
  } catch {
    return null;
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
