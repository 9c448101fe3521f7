import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { appendTraceEvent } from "../../src/trace/append-event.js";
import { readTrace } from "../../src/trace/read-trace.js";
import { tempDir } from "./runtime-tracing.js";

describe("appending a CLI event to the trace", () => {
  it("follows the runtime's path rules: explicit file, then OPENCLAW_STATE_DIR, then ~/.openclaw", () => {
    const home = tempDir("append-home");
    const explicit = path.join(home, "explicit.jsonl");
    const stateDir = path.join(home, "state");
    assert.deepEqual(appendTraceEvent({ ev: "x" }, { env: { OPENCLAW_PATCH_TRACE_FILE: explicit, OPENCLAW_STATE_DIR: stateDir }, homedir: home }), { written: true, file: explicit });
    const underState = path.join(stateDir, "logs", "openclaw-patch-trace.jsonl");
    assert.deepEqual(appendTraceEvent({ ev: "x" }, { env: { OPENCLAW_STATE_DIR: stateDir }, homedir: home }), { written: true, file: underState });
    const underHome = path.join(home, ".openclaw", "logs", "openclaw-patch-trace.jsonl");
    assert.deepEqual(appendTraceEvent({ ev: "x" }, { env: {}, homedir: home }), { written: true, file: underHome });
    for (const file of [explicit, underState, underHome]) assert.equal(fs.existsSync(file), true);
  });

  it("writes one line with ts, pid, ev first and marks it as the CLI's", () => {
    const file = path.join(tempDir("append"), "trace.jsonl");
    const event = { ev: "repatch-failed", code: "OCP_SITE_NOT_FOUND", message: "the handler moved", ts: 1, pid: 2, source: "gateway" };
    appendTraceEvent(event, { file, env: {}, now: 1_777_629_600_000, pid: 5000 });
    assert.equal(
      fs.readFileSync(file, "utf8"),
      '{"ts":1777629600000,"pid":5000,"ev":"repatch-failed","source":"cli","code":"OCP_SITE_NOT_FOUND","message":"the handler moved"}\n',
    );
    assert.equal(readTrace(file).records[0]!.source, "cli");
  });

  it("rotates with the runtime's rule", () => {
    const file = path.join(tempDir("append-rotate"), "trace.jsonl");
    const env = { OPENCLAW_PATCH_TRACE_MAX_BYTES: "300" };
    for (let index = 0; index < 40; index++) appendTraceEvent({ ev: "repatch-failed", message: `attempt ${index} ${"x".repeat(40)}` }, { file, env });
    for (const copy of [file, `${file}.1`, `${file}.2`, `${file}.3`]) assert.ok(fs.statSync(copy).size <= 300, copy);
    assert.equal(fs.existsSync(`${file}.4`), false);
    assert.match(String(readTrace(file).records.at(-1)!.message), /^attempt 39 /);
  });

  it("writes nothing when tracing is off, and never throws", () => {
    const dir = tempDir("append-off");
    const file = path.join(dir, "trace.jsonl");
    assert.deepEqual(appendTraceEvent({ ev: "x" }, { file, env: { OPENCLAW_PATCH_TRACE: "off" } }), { written: false, file: undefined, reason: "trace-off" });
    assert.equal(fs.existsSync(file), false);
    fs.writeFileSync(path.join(dir, "a-file"), "");
    const result = appendTraceEvent({ ev: "x" }, { file: path.join(dir, "a-file", "trace.jsonl"), env: {} });
    assert.equal(result.written, false);
    assert.equal(result.written === false && result.reason, "write-failed");
    const circular: Record<string, unknown> = { ev: "x" };
    circular.self = circular;
    assert.equal(appendTraceEvent(circular as { ev: string }, { file, env: {} }).written, false);
  });
});
