import { scrubText } from "../runtime/tracing/scrub.js";
import type { TraceRecord } from "../trace/records.js";

/** Fields that name things the runtime or the CLI chose (an event, a fix, a release), never free text. */
const NAMING_FIELDS = new Set(["ev", "source", "server", "mechanism", "release", "tool", "level", "node", "by", "cause", "origin", "chunk", "peer", "code"]);

/**
 * The trace's writer scrubs free text (close reasons, error messages, client labels) on the way to
 * disk; a report may be mailed around, so every other string field of every line is scrubbed again
 * the same way, for traces written by older runtimes, by hand, or by a CLI that did not scrub.
 */
export function rescrubbed(record: TraceRecord): TraceRecord {
  let copy: TraceRecord | undefined;
  for (const [name, value] of Object.entries(record)) {
    if (typeof value !== "string" || NAMING_FIELDS.has(name)) continue;
    const scrubbed = scrubText(value);
    if (scrubbed === value) continue;
    copy ??= { ...record };
    copy[name] = scrubbed;
  }
  return copy ?? record;
}
