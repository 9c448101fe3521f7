import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import type { RuntimeEvent } from "../../src/runtime/tracing/events.js";
import { TraceFileWriter } from "../../src/runtime/tracing/writer.js";
import { tempDir } from "../trace/runtime-tracing.js";

const stall = (blockedMs: number): RuntimeEvent => ({ type: "stall", blockedMs });

describe("trace writer", () => {
  it("formats events when it writes them, in order, and counts what its formatter could not write", async () => {
    const file = path.join(tempDir("trace-writer"), "trace.jsonl");
    const writer = new TraceFileWriter(file, 1_000_000, (event, time) => {
      if (event.type === "stall" && event.blockedMs === 2) throw new Error("unformattable");
      return `${time} ${JSON.stringify(event)}\n`;
    });
    writer.write(stall(1), 10);
    writer.write(stall(2), 20);
    writer.write(stall(3), 30);
    await writer.idle();
    writer.stop();
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    assert.deepEqual(lines, ['10 {"type":"stall","blockedMs":1}', '30 {"type":"stall","blockedMs":3}']);
    assert.equal(writer.droppedLines, 1);
    assert.equal(writer.failedWrites, 0);
  });

  it("writes what is buffered synchronously, up to its exit budget", () => {
    const file = path.join(tempDir("trace-writer-sync"), "trace.jsonl");
    const writer = new TraceFileWriter(file, 10_000_000, (event, time) => `${time} ${"y".repeat(100 * 1024)} ${event.type}\n`);
    for (let index = 0; index < 5; index++) writer.write(stall(index), index);
    writer.flushSync();
    writer.stop();
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    // 256 KiB for an exit: two lines of 100 KiB fit, the other three are counted as dropped.
    assert.equal(lines.length, 2);
    assert.equal(writer.droppedLines, 3);
  });
});
