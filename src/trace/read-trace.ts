import fs from "node:fs";
import path from "node:path";
import { fail } from "../core/diagnostics.js";
import { rotatedTracePaths, traceFilePath } from "../runtime/tracing/file.js";
import { parseTraceLine, type TraceRecord } from "./records.js";

/** The trace a command was given, else the one the runtime's path rules name under this process's env. */
export function namedTracePath(file: string | undefined): string {
  return file !== undefined && file.trim() !== "" ? path.resolve(file) : traceFilePath(process.env);
}

export interface TraceContents {
  /** The live file the caller named. */
  file: string;
  /** Files actually read, oldest first (`.3`, `.2`, `.1`, then the live file). */
  files: string[];
  /** In write order. */
  records: TraceRecord[];
  /** Complete lines that are not trace records. */
  malformedLines: number;
  /** Unterminated last lines that do not parse: a write cut short by a crash or still in progress. */
  tornLines: number;
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function readIfPresent(path: string): string | undefined {
  try {
    return fs.readFileSync(path, "utf8");
  } catch (error) {
    if (errnoOf(error) === "ENOENT") return undefined;
    fail(
      "OCP_TRACE_UNREADABLE",
      `cannot read the trace file ${path}: ${(error as Error).message}`,
      "check the path and its permissions; the gateway writes the file as the user it runs as",
      { path, errno: errnoOf(error) },
    );
  }
}

/** Reads the trace and its rotated copies. Throws OCP_TRACE_MISSING when none of them exists. */
export function readTrace(file: string): TraceContents {
  const contents: TraceContents = { file, files: [], records: [], malformedLines: 0, tornLines: 0 };
  for (const path of [...rotatedTracePaths(file).reverse(), file]) {
    const text = readIfPresent(path);
    if (text === undefined) continue;
    contents.files.push(path);
    addLines(contents, text);
  }
  if (contents.files.length === 0) {
    fail(
      "OCP_TRACE_MISSING",
      `no trace file at ${file} (nor rotated copies)`,
      "the patched gateway writes it once restarted, unless OPENCLAW_PATCH_TRACE=off; if the gateway runs with another OPENCLAW_STATE_DIR or OPENCLAW_PATCH_TRACE_FILE, pass that file: openclaw-patch trace FILE",
      { file },
    );
  }
  return contents;
}

function addLines(contents: TraceContents, text: string): void {
  const lines = text.split("\n");
  const last = lines.length - 1;
  for (let index = 0; index <= last; index++) {
    const line = lines[index]!;
    if (line.trim().length === 0) continue;
    const { record, torn } = parseTraceLine(line);
    if (torn) contents.tornLines += 1;
    if (record !== undefined) contents.records.push(record);
    else if (index === last) contents.tornLines += 1;
    else contents.malformedLines += 1;
  }
}

/** Records of the rotated copies only, oldest first; missing or unreadable copies are skipped. */
export function readRotatedRecords(file: string): TraceRecord[] {
  const records: TraceRecord[] = [];
  for (const path of rotatedTracePaths(file).reverse()) {
    let text: string;
    try {
      text = fs.readFileSync(path, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n")) {
      const { record } = parseTraceLine(line);
      if (record !== undefined) records.push(record);
    }
  }
  return records;
}

/**
 * Several traces read as one (two gateways' files, or one copied off another host): the records
 * merged by time, a stable sort, so each file keeps its write order. `file` is the first named.
 */
export function readTraces(files: readonly [string, ...string[]]): TraceContents {
  const all = files.map((file) => readTrace(file));
  if (all.length === 1) return all[0]!;
  return {
    file: files[0],
    files: all.flatMap((contents) => contents.files),
    records: all.flatMap((contents) => contents.records).sort((a, b) => a.ts - b.ts),
    malformedLines: all.reduce((sum, contents) => sum + contents.malformedLines, 0),
    tornLines: all.reduce((sum, contents) => sum + contents.tornLines, 0),
  };
}
