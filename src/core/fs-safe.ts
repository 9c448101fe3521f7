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

/**
 * Writes a complete new file beside the target and returns its path; the caller renames it into
 * place. Never opens the target itself, so a hardlinked target (pnpm's store) is left untouched.
 */
export async function writeTempBeside(target: string, data: Buffer, meta?: FileMeta, temp = tempPathFor(target)): Promise<string> {
  const handle = await fs.open(temp, "wx", meta ? meta.mode & 0o7777 : 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (meta) {
    await fs.chmod(temp, meta.mode & 0o7777);
    if (process.getuid?.() === 0 && (meta.uid !== 0 || meta.gid !== 0)) await fs.chown(temp, meta.uid, meta.gid).catch(() => undefined);
  }
  return temp;
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
