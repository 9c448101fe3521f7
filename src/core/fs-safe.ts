import fs from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { OcpError, diagnostic } from "./diagnostics.js";

export interface FileMeta {
  mode: number;
  uid: number;
  gid: number;
}

export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.ocp-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
}

export const TEMP_FILE_PATTERN = /^\..+\.ocp-\d+-[0-9a-f]{8}\.tmp$/;

export interface WriteOptions {
  /** Mode, and owner when running as root, given to the new file. */
  meta?: FileMeta;
  /** Mode of a new file when no meta is given (state files are private: 0600). */
  mode?: number;
  /** Modification time to give the file, so a record can name it before the file exists. */
  mtimeMs?: number;
}

/**
 * Writes a complete new file beside the target and returns its path; the caller renames it into
 * place. Never opens the target itself, so a hardlinked target (pnpm's store) is left untouched, and
 * the temp is created exclusively (O_EXCL), so a link planted at its name is refused, not followed.
 * A failed write removes its temp.
 */
export async function writeTempBeside(target: string, data: Buffer | string, options: WriteOptions = {}, temp = tempPathFor(target)): Promise<string> {
  const mode = (options.meta?.mode ?? options.mode ?? 0o644) & 0o7777;
  const handle = await fs.open(temp, "wx", mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The umask narrows the mode given to open; the target's mode must come back exactly.
    await fs.chmod(temp, mode);
    const meta = options.meta;
    if (meta && process.getuid?.() === 0 && (meta.uid !== 0 || meta.gid !== 0)) await fs.chown(temp, meta.uid, meta.gid).catch(() => undefined);
    if (options.mtimeMs !== undefined) await fs.utimes(temp, options.mtimeMs / 1000, options.mtimeMs / 1000);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  return temp;
}

/**
 * The one way this tool replaces a file: a complete temp beside it, fsynced, then renamed over it.
 * A rename replaces whatever is at the destination (a symlink included) and never writes through it;
 * a reader sees the old file or the new one, never a mix.
 */
export async function writeFileDurably(target: string, data: Buffer | string, options: WriteOptions = {}): Promise<void> {
  const temp = await writeTempBeside(target, data, options);
  try {
    await renameWithRetry(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await syncFolder(path.dirname(target));
}

/** Makes a rename in a folder durable. Windows cannot open a folder for this; its renames are journalled. */
export async function syncFolder(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const handle = await fs.open(dir, "r").catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

export interface RetryOptions {
  platform?: NodeJS.Platform;
  attempts?: number;
  baseDelayMs?: number;
  renameFn?: (from: string, to: string) => Promise<void>;
}

/**
 * On Windows a rename fails with EBUSY/EPERM/EACCES while another process (an antivirus scan, the
 * gateway itself) holds the target open; that clears within moments, so retry with backoff.
 */
export async function renameWithRetry(from: string, to: string, options: RetryOptions = {}): Promise<void> {
  const platform = options.platform ?? process.platform;
  const attempts = options.attempts ?? (platform === "win32" ? 8 : 1);
  const base = options.baseDelayMs ?? 50;
  const rename = options.renameFn ?? fs.rename;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      lastError = error;
      const code = (error as NodeJS.ErrnoException).code;
      const transient = platform === "win32" && (code === "EBUSY" || code === "EPERM" || code === "EACCES");
      if (!transient) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(base * 2 ** attempt, 2_000)));
    }
  }
  const code = (lastError as NodeJS.ErrnoException).code;
  throw new OcpError(
    diagnostic("OCP_FILE_BUSY", `${to} stayed locked by another process (${code}) through ${attempts} attempts`, "close programs that may hold it (the gateway, an editor, an antivirus scan) and run again", { file: to, errno: code }),
  );
}

export async function readMeta(file: string): Promise<FileMeta & { size: number; mtimeMs: number }> {
  const st = await fs.stat(file);
  return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.size, mtimeMs: st.mtimeMs };
}

/** Turns EACCES/EPERM/EROFS into an error that says what to run instead. */
export function permissionError(error: unknown, target: string, root: string, retryCommand: string): OcpError | undefined {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code !== "EACCES" && code !== "EPERM" && code !== "EROFS") return undefined;
  const remedy =
    code === "EROFS"
      ? `the install at ${root} is on a read-only file system; remount it read-write or reinstall OpenClaw somewhere writable (for example with a user-owned npm prefix: npm config set prefix ~/.npm-global)`
      : process.platform === "win32"
        ? `run the same command from an elevated prompt, or reinstall OpenClaw for your user: ${retryCommand}`
        : `the install is owned by another user (a global npm install as root?); run: sudo ${retryCommand} — or move OpenClaw to a user-owned prefix (npm config set prefix ~/.npm-global && npm i -g openclaw)`;
  return new OcpError(diagnostic("OCP_PERMISSION", `cannot write ${target} (${code})`, remedy, { file: target, errno: code, root }));
}
