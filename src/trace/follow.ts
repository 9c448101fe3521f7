import fs from "node:fs";
import { rotatedTracePaths } from "../runtime/tracing/file.js";
import { parseTraceLine, type TraceRecord } from "./records.js";

/** Bytes read per poll; a burst larger than this is read over the following polls. */
const MAX_READ_BYTES = 4 * 1024 * 1024;
/** Searched backwards for a line start when following begins at the end of the file. */
const TAIL_PROBE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

interface Position {
  ino: number;
  offset: number;
}

function statOrUndefined(path: string): fs.Stats | undefined {
  try {
    return fs.statSync(path);
  } catch {
    return undefined;
  }
}

function readRange(path: string, from: number, to: number): Buffer {
  const length = Math.max(Math.min(to - from, MAX_READ_BYTES), 0);
  const buffer = Buffer.alloc(length);
  const fd = fs.openSync(path, "r");
  try {
    const read = fs.readSync(fd, buffer, 0, length, from);
    return buffer.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}

/** Offset just after the last complete line, so following never starts mid-line. */
function endOfLastLine(path: string, size: number): number {
  const from = Math.max(size - TAIL_PROBE_BYTES, 0);
  const tail = readRange(path, from, size);
  const lastNewline = tail.lastIndexOf(NEWLINE);
  return lastNewline < 0 ? from : from + lastNewline + 1;
}

/**
 * Reads the lines appended to a trace file since the previous poll, like `tail -F`: when the
 * runtime rotates the file, the rest of the old file is read from `.1` and the new file from its
 * start; a truncated file is read again from its start. Polling is the caller's job.
 */
export class TraceFollower {
  private position: Position | undefined;
  private partial: Buffer = Buffer.alloc(0);
  malformedLines = 0;

  constructor(
    readonly file: string,
    options: { fromStart?: boolean } = {},
  ) {
    const stat = statOrUndefined(file);
    if (stat !== undefined) {
      this.position = { ino: stat.ino, offset: options.fromStart ? 0 : endOfLastLine(file, stat.size) };
    }
  }

  poll(): TraceRecord[] {
    const stat = statOrUndefined(this.file);
    if (stat === undefined) return [];
    const records: TraceRecord[] = [];
    const position = this.position;
    // Inode numbers are 0 on some Windows file systems; a shrinking size is the fallback sign.
    const replaced = position !== undefined && stat.ino !== position.ino && stat.ino !== 0;
    if (position === undefined || replaced || stat.size < position.offset) {
      if (replaced) records.push(...this.finishRotated(position));
      this.partial = Buffer.alloc(0);
      this.position = { ino: stat.ino, offset: 0 };
    }
    records.push(...this.readNew(this.file, stat.size));
    return records;
  }

  private finishRotated(previous: Position): TraceRecord[] {
    const rotated = rotatedTracePaths(this.file)[0]!;
    const stat = statOrUndefined(rotated);
    if (stat === undefined || stat.ino !== previous.ino) return [];
    this.position = previous;
    const records = this.readNew(rotated, stat.size);
    // A line still unterminated in a rotated file is never completed.
    this.partial = Buffer.alloc(0);
    return records;
  }

  private readNew(path: string, size: number): TraceRecord[] {
    const position = this.position!;
    if (size <= position.offset) return [];
    let chunk: Buffer;
    try {
      chunk = readRange(path, position.offset, size);
    } catch {
      return [];
    }
    position.offset += chunk.length;
    const data = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : chunk;
    const lastNewline = data.lastIndexOf(NEWLINE);
    this.partial = Buffer.from(data.subarray(lastNewline + 1));
    if (lastNewline < 0) return [];
    const records: TraceRecord[] = [];
    for (const line of data.subarray(0, lastNewline).toString("utf8").split("\n")) {
      if (line.trim().length === 0) continue;
      const { record } = parseTraceLine(line);
      if (record === undefined) this.malformedLines += 1;
      else records.push(record);
    }
    return records;
  }
}
