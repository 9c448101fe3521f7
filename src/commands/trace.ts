import fs from "node:fs";
import type { CommandIO } from "../cli/io.js";
import { printJson } from "../cli/io.js";
import { rotatedTracePaths } from "../runtime/tracing/file.js";
import { EventDescriber } from "../trace/describe-event.js";
import { TraceFollower } from "../trace/follow.js";
import { namedTracePath, readRotatedRecords, readTrace } from "../trace/read-trace.js";
import type { TraceRecord } from "../trace/records.js";
import { renderTraceReport } from "../trace/render-report.js";
import { summariseTrace } from "../trace/summarise.js";
import { parseOptions } from "./shared/option-schema.js";
import { TRACE_OPTIONS } from "./shared/option-tables.js";

export interface TraceCommandOptions {
  follow?: boolean;
  json?: boolean;
  /** A duration back from now (`15m`), a time of day (`12:30`) or a date. */
  since?: string;
  /** Ends --follow, like SIGINT does (for embedding and tests). */
  signal?: AbortSignal;
  /** --follow's poll period; 500 ms unless a test needs it faster. */
  pollMs?: number;
}

const FOLLOW_POLL_MS = 500;
/** Polls that read the existing file before following starts; each reads at most a few MiB. */
const MAX_CATCH_UP_POLLS = 256;

/**
 * `openclaw-patch trace [FILE]`: a report of the gateway's lifecycle trace, or (--follow) its
 * events as they are written. FILE defaults to the runtime's path rules under this process's env.
 */
export async function traceCommand(file: string | undefined, options: TraceCommandOptions, io: CommandIO): Promise<void> {
  const tracePath = namedTracePath(file);
  const { since } = parseOptions(TRACE_OPTIONS, options);
  const json = options.json ?? io.json;
  if (options.follow) {
    await followTrace(tracePath, since, json, io, options);
    return;
  }
  const contents = readTrace(tracePath);
  const report = summariseTrace(contents.records, { since });
  if (json) {
    printJson(io, {
      command: "trace",
      file: tracePath,
      files: contents.files,
      malformedLines: contents.malformedLines,
      tornLines: contents.tornLines,
      ...report,
    });
    return;
  }
  for (const line of renderTraceReport(contents, report)) io.out(line);
}

async function followTrace(tracePath: string, since: number | undefined, json: boolean, io: CommandIO, options: TraceCommandOptions): Promise<void> {
  const describer = new EventDescriber();
  const print = (record: TraceRecord): void => io.out(json ? JSON.stringify(record) : describer.describe(record));
  const wanted = (record: TraceRecord): boolean => since !== undefined && record.ts >= since;

  // Existing lines: printed when --since asks for them, otherwise only remembered for "after 31.2 s".
  if (since !== undefined) for (const record of readRotatedRecords(tracePath)) if (wanted(record)) print(record);
  const follower = new TraceFollower(tracePath, { fromStart: true });
  for (let poll = 0; poll < MAX_CATCH_UP_POLLS; poll++) {
    const records = follower.poll();
    if (records.length === 0) break;
    for (const record of records) {
      if (wanted(record)) print(record);
      else describer.remember(record);
    }
  }
  if (!json) {
    const exists = [tracePath, ...rotatedTracePaths(tracePath)].some((candidate) => fs.existsSync(candidate));
    io.err(exists ? `following ${tracePath} (Ctrl-C to stop)` : `waiting for ${tracePath} to appear (Ctrl-C to stop)`);
  }

  await new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      clearTimeout(timer);
      process.off("SIGINT", stop);
      options.signal?.removeEventListener("abort", stop);
      resolve();
    };
    const tick = (): void => {
      try {
        for (const record of follower.poll()) if (since === undefined || record.ts >= since) print(record);
      } catch (error) {
        stop();
        reject(error);
        return;
      }
      timer = setTimeout(tick, options.pollMs ?? FOLLOW_POLL_MS);
    };
    if (options.signal?.aborted) return resolve();
    process.once("SIGINT", stop);
    options.signal?.addEventListener("abort", stop, { once: true });
    tick();
  });
}
