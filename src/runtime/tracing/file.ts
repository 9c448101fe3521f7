/**
 * Where the trace file lives and how it rotates. Shared by the runtime (which writes it inside the
 * gateway) and the CLI (which reads it and appends its own events), so both always agree.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { RUNTIME_ENV } from "../contract.js";

export const TRACE_ENV = {
  level: RUNTIME_ENV.trace,
  file: RUNTIME_ENV.traceFile,
  maxBytes: "OPENCLAW_PATCH_TRACE_MAX_BYTES",
  stallMs: "OPENCLAW_PATCH_STALL_MS",
  summaryMs: "OPENCLAW_PATCH_SUMMARY_MS",
  stateDir: "OPENCLAW_STATE_DIR",
} as const;

export const TRACE_FILE_NAME = "openclaw-patch-trace.jsonl";
export const DEFAULT_TRACE_MAX_BYTES = 10 * 1024 * 1024;
/** `.1` .. `.3`: disk use stays below (ROTATED_COPIES + 1) × max bytes. */
export const ROTATED_COPIES = 3;
/** Traces hold peer addresses: readable by the gateway's user only. */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

function expandHome(value: string, homedir: string): string {
  return value === "~" || value.startsWith("~/") || value.startsWith("~\\") ? path.join(homedir, value.slice(1)) : value;
}

/** `$OPENCLAW_PATCH_TRACE_FILE`, else `$OPENCLAW_STATE_DIR/logs/…`, else `~/.openclaw/logs/…`. */
export function traceFilePath(env: NodeJS.ProcessEnv, homedir: string = os.homedir()): string {
  const explicit = env[TRACE_ENV.file]?.trim();
  if (explicit) return path.resolve(expandHome(explicit, homedir));
  const stateDir = env[TRACE_ENV.stateDir]?.trim();
  const base = stateDir ? path.resolve(expandHome(stateDir, homedir)) : path.join(homedir, ".openclaw");
  return path.join(base, "logs", TRACE_FILE_NAME);
}

/** Rotated copies, newest first: `file.1`, `file.2`, `file.3`. */
export function rotatedTracePaths(file: string): string[] {
  return Array.from({ length: ROTATED_COPIES }, (_, index) => `${file}.${index + 1}`);
}

/** A positive integer, or undefined when absent or invalid (the caller decides whether to warn). */
export function positiveIntegerOf(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

export function traceMaxBytes(env: NodeJS.ProcessEnv): number {
  return positiveIntegerOf(env[TRACE_ENV.maxBytes]) ?? DEFAULT_TRACE_MAX_BYTES;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

/** Shifts `file` → `.1` → `.2` → `.3`; the oldest copy is overwritten. */
export function rotateTraceFileSync(file: string): void {
  const rotated = rotatedTracePaths(file);
  for (let index = rotated.length - 1; index >= 0; index--) {
    const from = index === 0 ? file : rotated[index - 1]!;
    try {
      fs.renameSync(from, rotated[index]!);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
}

export async function rotateTraceFile(file: string): Promise<void> {
  const rotated = rotatedTracePaths(file);
  for (let index = rotated.length - 1; index >= 0; index--) {
    const from = index === 0 ? file : rotated[index - 1]!;
    try {
      await fs.promises.rename(from, rotated[index]!);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
}

/** Rotation is checked before a write, so a file only exceeds the limit by one oversized write. */
function needsRotation(currentSize: number, addedBytes: number, maxBytes: number): boolean {
  return currentSize > 0 && currentSize + addedBytes > maxBytes;
}

/** Appends whole lines with the same rotation rule as the runtime; throws on I/O errors. */
export function appendTraceTextSync(file: string, text: string, maxBytes: number): void {
  if (text.length === 0) return;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: DIR_MODE });
  const bytes = Buffer.from(text, "utf8");
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  if (needsRotation(size, bytes.length, maxBytes)) rotateTraceFileSync(file);
  const fd = fs.openSync(file, "a", FILE_MODE);
  try {
    fs.writeSync(fd, bytes);
  } finally {
    fs.closeSync(fd);
  }
}

/** The asynchronous twin of appendTraceTextSync, for the runtime's flushes. */
export async function appendTraceText(file: string, text: string, maxBytes: number): Promise<void> {
  if (text.length === 0) return;
  const bytes = Buffer.from(text, "utf8");
  let handle = await openForAppend(file);
  try {
    const { size } = await handle.stat();
    if (needsRotation(size, bytes.length, maxBytes)) {
      await handle.close();
      await rotateTraceFile(file);
      handle = await openForAppend(file);
    }
    await handle.write(bytes);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Opened per flush rather than held: a trace file deleted or rotated by someone else is recreated. */
async function openForAppend(file: string): Promise<fs.promises.FileHandle> {
  try {
    return await fs.promises.open(file, "a", FILE_MODE);
  } catch (error) {
    if (!isMissing(error)) throw error;
    await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: DIR_MODE });
    return await fs.promises.open(file, "a", FILE_MODE);
  }
}
