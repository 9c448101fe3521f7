import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { WebSocketServer } from "ws";
import type { RuntimeModule } from "../../src/runtime/contract.js";
import { attachOptions, loadRuntime } from "./helpers.js";
import { readRecords, resetTracing, runtimeStateIfAny, tempDir, tracerIdle } from "../trace/runtime-tracing.js";

const BUNDLE = new URL("../../runtime/openclaw-patch-runtime.mjs", import.meta.url).href;

/**
 * A process that loads a patched chunk, as OpenClaw's CLI commands do (`openclaw health`, `gateway
 * call`), and then does `then` with its hooks before exiting at once. Returns its pid and trace.
 */
function chunkProcess(file: string, then: string): { pid: number; records: ReturnType<typeof readRecords> } {
  const script = `
    const runtime = await import(${JSON.stringify(BUNDLE)});
    // Two chunk copies attach, as on 2026.2.2–2026.3.13.
    const hooks = runtime.attach(${JSON.stringify(attachOptions({ heartbeat: true }))});
    runtime.attach(${JSON.stringify({ ...attachOptions({ heartbeat: true }), chunk: "dist/second-copy.js" })});
    ${then}
    process.exit(0);
  `;
  const env: NodeJS.ProcessEnv = { ...process.env, OPENCLAW_PATCH_TRACE_FILE: file };
  delete env.OPENCLAW_PATCH_TRACE;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8", timeout: 10_000 });
  assert.equal(result.status, 0, result.stderr);
  return { pid: result.pid!, records: readRecords(file) };
}

describe("trace: only a process that serves writes", () => {
  it("a process that only loads the patched chunk writes nothing, not even the file", () => {
    const file = path.join(tempDir("trace-cli"), "logs", "trace.jsonl");
    const { records } = chunkProcess(file, "");
    assert.deepEqual(records, []);
    assert.equal(fs.existsSync(path.dirname(file)), false, "no logs folder created");
  });

  it("the first guarded server starts the trace: started, then every attach seen so far, all with the serving pid", () => {
    const file = path.join(tempDir("trace-serving"), "trace.jsonl");
    const { pid, records } = chunkProcess(file, `hooks.guardServer({ on() {}, prependListener() {}, close() {}, clients: new Set() }, "gateway");`);
    assert.deepEqual(records.map((r) => r.ev), ["started", "attach", "attach", "exit"]);
    assert.deepEqual(records.map((r) => r.chunk ?? null), [null, "dist/test-chunk.js", "dist/second-copy.js", null]);
    for (const record of records) assert.equal(record.pid, pid);
  });

  it("an accepted socket starts it too, for a release whose server was not guarded", () => {
    const file = path.join(tempDir("trace-socket"), "trace.jsonl");
    const socket = "{ readyState: 1, ping() {}, close() {}, terminate() {}, on() {}, once() {}, prependListener() {} }";
    const { records } = chunkProcess(file, `hooks.connectionOpened(${socket}, undefined, "gateway");`);
    assert.deepEqual(records.map((r) => r.ev).slice(0, 3), ["started", "attach", "attach"]);
  });
});

describe("trace: nothing installed before serving", () => {
  let runtime: RuntimeModule;
  let file: string;

  before(async () => {
    file = path.join(tempDir("trace-lazy"), "trace.jsonl");
    resetTracing({ file });
    runtime = await loadRuntime();
  });
  after(() => resetTracing({}));

  it("no sink, stall sampler or exit handler until the first server; an attach after it is written at once", async () => {
    const exitListeners = process.listenerCount("exit");
    const hooks = runtime.attach(attachOptions({ closeGrace: true }));
    const state = runtimeStateIfAny()!;
    assert.equal(state.traceSinks.size, 0);
    assert.equal(state.stallDetector, undefined);
    assert.equal(process.listenerCount("exit"), exitListeners);

    const wss = new WebSocketServer({ noServer: true });
    try {
      hooks.guardServer(wss, "gateway");
      assert.equal(state.traceSinks.size, 1);
      assert.equal(process.listenerCount("exit"), exitListeners + 1);
      runtime.attach({ ...attachOptions({ closeGrace: true }), chunk: "dist/late.js" });
      await tracerIdle();
      const records = readRecords(file);
      assert.deepEqual(records.map((r) => r.ev), ["started", "attach", "attach"]);
      assert.equal(records[2]!.chunk, "dist/late.js");
    } finally {
      wss.close();
    }
  });
});
