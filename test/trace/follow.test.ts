import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { TraceFollower } from "../../src/trace/follow.js";
import { tempDir } from "./runtime-tracing.js";

const line = (ts: number, ev = "stall"): string => `${JSON.stringify({ ts, pid: 1, ev, ms: 1500 })}\n`;

describe("following a trace file", () => {
  it("starts after the existing lines and returns only what is appended", () => {
    const file = path.join(tempDir("follow"), "trace.jsonl");
    fs.writeFileSync(file, line(1) + line(2));
    const follower = new TraceFollower(file);
    assert.deepEqual(follower.poll(), []);
    fs.appendFileSync(file, line(3));
    assert.deepEqual(follower.poll().map((r) => r.ts), [3]);
    assert.deepEqual(follower.poll(), []);
  });

  it("does not start in the middle of a line still being written", () => {
    const file = path.join(tempDir("follow"), "trace.jsonl");
    const third = line(3);
    fs.writeFileSync(file, line(1) + third.slice(0, 10));
    const follower = new TraceFollower(file);
    fs.appendFileSync(file, third.slice(10));
    assert.deepEqual(follower.poll().map((r) => r.ts), [3]);
  });

  it("holds a partial line until its newline arrives", () => {
    const file = path.join(tempDir("follow"), "trace.jsonl");
    fs.writeFileSync(file, "");
    const follower = new TraceFollower(file);
    const text = line(4);
    fs.appendFileSync(file, text.slice(0, 7));
    assert.deepEqual(follower.poll(), []);
    fs.appendFileSync(file, text.slice(7));
    assert.deepEqual(follower.poll().map((r) => r.ts), [4]);
  });

  it("reads the rest of a rotated file from .1, then the new file from its start", () => {
    const file = path.join(tempDir("follow"), "trace.jsonl");
    fs.writeFileSync(file, line(1));
    const follower = new TraceFollower(file);
    fs.appendFileSync(file, line(2));
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, line(3));
    assert.deepEqual(follower.poll().map((r) => r.ts), [2, 3]);
  });

  it("waits for a file that does not exist yet and reads it whole once it appears", () => {
    const file = path.join(tempDir("follow"), "trace.jsonl");
    const follower = new TraceFollower(file);
    assert.deepEqual(follower.poll(), []);
    fs.writeFileSync(file, line(5) + line(6));
    assert.deepEqual(follower.poll().map((r) => r.ts), [5, 6]);
  });

  it("starts over when the file is truncated, and counts garbage", () => {
    const file = path.join(tempDir("follow"), "trace.jsonl");
    fs.writeFileSync(file, line(1) + line(2));
    const follower = new TraceFollower(file);
    fs.writeFileSync(file, "garbage\n" + line(7));
    assert.deepEqual(follower.poll().map((r) => r.ts), [7]);
    assert.equal(follower.malformedLines, 1);
  });
});
