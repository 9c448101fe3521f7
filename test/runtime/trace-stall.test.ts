import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { RuntimeModule } from "../../src/runtime/contract.js";
import { attachOptions, blockEventLoop, loadRuntime, sleep } from "./helpers.js";
import { readRecords, resetTracing, serveWith, tempDir, waitForRecords } from "../trace/runtime-tracing.js";

const STALL_MS = 200;
/** The sampler runs every STALL_MS / 4: a block that starts just after a sample is measured that much short. */
const SAMPLE_MS = STALL_MS / 4;

describe("trace: event-loop stalls", () => {
  let runtime: RuntimeModule;
  let file: string;

  before(async () => {
    file = path.join(tempDir("trace-stall"), "trace.jsonl");
    resetTracing({ file, stallMs: String(STALL_MS) });
    runtime = await loadRuntime();
    // No fix at all: stall reporting must not depend on the heartbeat's own stall detection.
    serveWith(runtime.attach(attachOptions({})));
    await sleep(SAMPLE_MS * 3);
  });
  after(() => resetTracing({}));

  it("writes a stall line of about the blocked time", async () => {
    const blockMs = 800;
    const since = Date.now();
    blockEventLoop(blockMs);
    const records = await waitForRecords(file, (all) => all.some((r) => r.ev === "stall" && r.ts >= since), "a stall line");
    const stalls = records.filter((r) => r.ev === "stall" && r.ts >= since);
    assert.equal(stalls.length, 1);
    const measured = stalls[0]!.ms as number;
    assert.ok(measured >= blockMs - SAMPLE_MS - 20 && measured <= blockMs + 300, `measured ${measured} ms for a ${blockMs} ms block`);
  });

  it("does not write blocks shorter than OPENCLAW_PATCH_STALL_MS", async () => {
    const since = Date.now();
    blockEventLoop(STALL_MS / 2);
    await sleep(SAMPLE_MS * 4);
    blockEventLoop(STALL_MS / 2);
    await sleep(SAMPLE_MS * 4);
    assert.deepEqual(readRecords(file).filter((r) => r.ev === "stall" && r.ts >= since), []);
  });
});
