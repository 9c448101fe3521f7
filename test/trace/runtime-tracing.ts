/**
 * Support for the runtime trace tests (test/runtime/trace-*.test.ts): restarting the process-wide
 * file tracer with a chosen environment, and reading what it wrote.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { GatewayCallbacks } from "../../src/runtime/contract.js";
import { TRACE_ENV } from "../../src/runtime/tracing/file.js";
import { runtimeStateOnGlobal, type RuntimeState } from "../../src/runtime/shared-state.js";
import { sleep } from "../runtime/helpers.js";

export interface TraceRecord {
  ts: number;
  pid: number;
  ev: string;
  conn?: number;
  [key: string]: unknown;
}

function runtimeState(): RuntimeState {
  const state = runtimeStateIfAny();
  if (state === undefined) throw new Error("runtime state not initialised: load the runtime and call attach() first");
  return state;
}

export function runtimeStateIfAny(): RuntimeState | undefined {
  return runtimeStateOnGlobal() as RuntimeState | undefined;
}

/**
 * Stops the current tracer (if any) and sets the trace environment, so that the next attach()
 * starts a fresh tracer with it. Every trace variable not given is removed.
 */
export function resetTracing(env: Partial<Record<keyof typeof TRACE_ENV, string>>): void {
  runtimeStateIfAny()?.tracer?.stop();
  for (const [key, name] of Object.entries(TRACE_ENV) as [keyof typeof TRACE_ENV, string][]) {
    const value = env[key];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/**
 * What a gateway does first with the hooks: hand them a server to guard. The runtime traces only
 * from then on (a process that merely loads a patched chunk, such as an OpenClaw CLI command, writes
 * nothing), so tests that drive hooks without a real server start serving this way.
 */
export function serveWith(hooks: GatewayCallbacks): void {
  hooks.guardServer(fakeServer(), "gateway");
}

/** Passes the runtime's WebSocketServer shape check and accepts its listener; holds no sockets. */
export function fakeServer(): object {
  return { on: () => undefined, prependListener: () => undefined, close: () => undefined, clients: new Set() };
}

export async function tracerIdle(): Promise<void> {
  await runtimeState().tracer?.idle();
}

const createdDirs: string[] = [];
let cleanupRegistered = false;

/** A scratch folder removed when the test process exits. */
export function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ocp-${label}-`));
  createdDirs.push(dir);
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    process.once("exit", () => {
      for (const created of createdDirs) fs.rmSync(created, { recursive: true, force: true });
    });
  }
  return dir;
}

export function readRecords(file: string): TraceRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as TraceRecord);
}

/** Polls the file until `done` holds for its records; fails with what was read so far. */
export async function waitForRecords(
  file: string,
  done: (records: TraceRecord[]) => boolean,
  what: string,
  timeoutMs = 3_000,
): Promise<TraceRecord[]> {
  let records: TraceRecord[] = [];
  for (let waited = 0; waited <= timeoutMs; waited += 20) {
    await tracerIdle().catch(() => undefined);
    records = readRecords(file);
    if (done(records)) return records;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}; trace so far:\n${records.map((r) => JSON.stringify(r)).join("\n")}`);
}

export function eventsOf(records: TraceRecord[], conn: number): string[] {
  return records.filter((record) => record.conn === conn).map((record) => record.ev);
}

export function recordOf(records: TraceRecord[], conn: number, ev: string): TraceRecord {
  const found = records.find((record) => record.conn === conn && record.ev === ev);
  if (found === undefined) throw new Error(`no ${ev} line for conn ${conn}`);
  return found;
}

/** The runtime's connection id for the peer whose local port is `port`, from its `open` line. */
export async function connectionIdFor(file: string, port: number): Promise<number> {
  const records = await waitForRecords(file, (all) => all.some((r) => r.ev === "open" && r.port === port), `the open line of port ${port}`);
  return records.find((r) => r.ev === "open" && r.port === port)!.conn!;
}
