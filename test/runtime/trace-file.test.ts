import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { GatewayCallbacks, RuntimeModule } from "../../src/runtime/contract.js";
import { attachOptions, captureWarnings, healthyClient, loadRuntime, sleep, startGateway, within } from "./helpers.js";
import { readRecords, resetTracing, serveWith, tempDir, tracerIdle } from "../trace/runtime-tracing.js";

/** Passes the runtime's shape checks, so errorObserved writes one `error` line per call. */
function fakeSocket(): object {
  return { readyState: 1, ping: () => undefined, close: () => undefined, terminate: () => undefined, on: () => undefined };
}

function emitErrorLines(hooks: GatewayCallbacks, count: number, label: string): void {
  const socket = fakeSocket();
  for (let index = 0; index < count; index++) hooks.errorObserved(socket, new Error(`${label} ${index} ${"x".repeat(60)}`));
}

/** fakeServer() as source text, for a child process. */
const fakeServerSource = "{ on() {}, prependListener() {}, close() {}, clients: new Set() }";

describe("trace file", () => {
  let runtime: RuntimeModule;

  before(async () => {
    runtime = await loadRuntime();
  });
  after(() => resetTracing({}));

  it("rotates by size to .1 .. .3 and bounds disk use", async () => {
    const maxBytes = 2_000;
    const file = path.join(tempDir("trace-rotate"), "trace.jsonl");
    resetTracing({ file, maxBytes: String(maxBytes) });
    const hooks = runtime.attach(attachOptions({}));
    serveWith(hooks);
    for (let round = 0; round < 60; round++) {
      emitErrorLines(hooks, 4, `round ${round}`);
      await tracerIdle();
    }
    const copies = [file, `${file}.1`, `${file}.2`, `${file}.3`];
    for (const copy of copies) {
      const size = fs.statSync(copy).size;
      assert.ok(size > 0 && size <= maxBytes, `${path.basename(copy)} holds ${size} bytes`);
    }
    assert.equal(fs.existsSync(`${file}.4`), false, "no fourth copy");
    const newest = readRecords(file);
    assert.match(String(newest.at(-1)!.message), /^round 59 3 /, "the newest lines are in the live file");
    const oldestKept = readRecords(`${file}.3`)[0]!;
    assert.ok(oldestKept.ts <= newest[0]!.ts, "older lines are in higher-numbered copies");
  });

  it("caps what waits for the disk and counts the lines it had to drop", async () => {
    const file = path.join(tempDir("trace-cap"), "trace.jsonl");
    // The burst blocks the loop; on a loaded machine past the stall threshold, and a stall line
    // arriving at a full buffer would be one more drop than the error lines account for.
    resetTracing({ file, summaryMs: "50", stallMs: "600000" });
    const hooks = runtime.attach(attachOptions({}));
    serveWith(hooks);
    await tracerIdle();
    const before = readRecords(file).length;
    // ~150 bytes a line, all emitted within one turn: several MiB against a 1 MiB buffer.
    const emitted = 30_000;
    emitErrorLines(hooks, emitted, "burst");
    await tracerIdle();
    let summary: Record<string, unknown> | undefined;
    for (let waited = 0; waited < 3_000 && summary === undefined; waited += 25) {
      await sleep(25);
      await tracerIdle();
      summary = readRecords(file).find((r) => r.ev === "summary");
    }
    assert.ok(summary !== undefined, "a summary line");
    // Counted once everything has settled: an append may still have been on its way to the disk.
    await tracerIdle();
    const written = [file, `${file}.1`, `${file}.2`, `${file}.3`].flatMap((f) => readRecords(f)).filter((r) => r.ev === "error").length;
    assert.ok(written > 0 && written < emitted, `${written} of ${emitted} lines written (${fs.readdirSync(path.dirname(file)).join(",")})`);
    assert.equal(summary.dropped, emitted - written, "every line is either written or counted as dropped");
    assert.ok(before >= 2);
  });

  it("never throws into the gateway when the trace path cannot be written, and warns once", async () => {
    const dir = tempDir("trace-unwritable");
    // A regular file where the folder should be: unwritable even for root.
    fs.writeFileSync(path.join(dir, "not-a-folder"), "");
    const file = path.join(dir, "not-a-folder", "logs", "trace.jsonl");
    resetTracing({ file });
    const captured = captureWarnings();
    const hooks = runtime.attach(attachOptions({ closeGrace: true }));
    const gateway = await startGateway(hooks);
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const serverSocket = gateway.nextSocket();
        const { client } = await healthyClient(gateway.port);
        const socket = await serverSocket;
        const closed = new Promise<number>((resolve) => client.once("close", (code) => resolve(code)));
        socket.close(1000, "bye");
        assert.equal(await within(closed, 2_000, "the client to close"), 1000, "the gateway keeps working");
        emitErrorLines(hooks, 5, "unwritable");
        await sleep(50);
      }
    } finally {
      await gateway.stop();
      captured.stop();
    }
    const failures = captured.warnings.filter((warning) => warning.code === "OCP_RUNTIME_TRACE_WRITE_FAILED");
    assert.equal(failures.length, 1, "one warning for the process");
    assert.match(failures[0]!.message, /gateway is unaffected/);
  });

  it("writes buffered lines synchronously when the process exits", () => {
    const file = path.join(tempDir("trace-exit"), "trace.jsonl");
    const bundle = new URL("../../runtime/openclaw-patch-runtime.mjs", import.meta.url).href;
    // Serving buffers started/attach lines; exiting at once leaves no turn for the asynchronous flush.
    const script = `
      const runtime = await import(${JSON.stringify(bundle)});
      const hooks = runtime.attach(${JSON.stringify(attachOptions({}))});
      hooks.guardServer(${fakeServerSource}, "gateway");
      hooks.errorObserved({ readyState: 1, ping() {}, close() {}, terminate() {}, on() {} }, new Error("last words"));
      process.exit(0);
    `;
    const env: NodeJS.ProcessEnv = { ...process.env, OPENCLAW_PATCH_TRACE_FILE: file };
    delete env.OPENCLAW_PATCH_TRACE;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8", timeout: 10_000 });
    assert.equal(result.status, 0, result.stderr);
    const records = readRecords(file);
    assert.deepEqual(records.map((r) => r.ev), ["started", "attach", "error", "exit"]);
    assert.equal(records[2]!.message, "last words");
    assert.equal(records[0]!.pid, result.pid);
  });
});
