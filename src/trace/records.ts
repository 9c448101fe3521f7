/** One parsed trace line. Known fields are typed loosely: files from older or newer runtimes are read too. */
export interface TraceRecord {
  ts: number;
  pid: number;
  ev: string;
  conn?: number;
  [field: string]: unknown;
}

/** Where a line starts; used to recover a line written after a torn one on the same physical line. */
const LINE_START = '{"ts":';

function asRecord(value: unknown): TraceRecord | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { ts, pid, ev } = value as Record<string, unknown>;
  if (typeof ts !== "number" || !Number.isFinite(ts)) return undefined;
  if (typeof pid !== "number" || !Number.isInteger(pid)) return undefined;
  if (typeof ev !== "string" || ev.length === 0) return undefined;
  return value as TraceRecord;
}

function parseJson(text: string): TraceRecord | undefined {
  try {
    return asRecord(JSON.parse(text));
  } catch {
    return undefined;
  }
}

export interface ParsedLine {
  record: TraceRecord | undefined;
  /** Part of the line was a torn write from an earlier process. */
  torn: boolean;
}

/**
 * A process killed mid-write leaves a torn line; the next process appends after it without a
 * newline in between. So when a line does not parse, the last line start inside it is tried.
 */
export function parseTraceLine(line: string): ParsedLine {
  const text = line.trim();
  if (text.length === 0) return { record: undefined, torn: false };
  const whole = parseJson(text);
  if (whole !== undefined) return { record: whole, torn: false };
  const restart = text.lastIndexOf(LINE_START);
  const tail = restart > 0 ? parseJson(text.slice(restart)) : undefined;
  return { record: tail, torn: tail !== undefined };
}

export function numberField(record: TraceRecord, name: string): number | undefined {
  const value = record[name];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function stringField(record: TraceRecord, name: string): string | undefined {
  const value = record[name];
  return typeof value === "string" ? value : undefined;
}
