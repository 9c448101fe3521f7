import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { readTrace } from "../../src/trace/read-trace.js";
import { renderTraceReport } from "../../src/trace/render-report.js";
import { summariseTrace } from "../../src/trace/summarise.js";
import { FIXTURES, at } from "./fixtures.js";

const HEALTH_TRACE = path.join(FIXTURES, "health.jsonl");
const MIB = 2 ** 20;

describe("each gateway process in the trace report", () => {
  const contents = readTrace(HEALTH_TRACE);
  const report = summariseTrace(contents.records);

  it("says how each process ended and how long it ran", () => {
    assert.deepEqual(
      report.processes.map((p) => ({ pid: p.pid, how: p.end?.how, code: p.end?.code, at: p.end?.at, uptimeMs: p.uptimeMs })),
      [
        { pid: 100, how: "unrecorded", code: undefined, at: at(3), uptimeMs: 180_000 },
        { pid: 200, how: "uncaught", code: 1, at: at(6, 30), uptimeMs: 150_000 },
        { pid: 300, how: "exit", code: 0, at: at(10, 20), uptimeMs: 200_000 },
      ],
    );
    assert.equal(report.processes[0]!.end?.reportedAt, at(4, 1));
    assert.deepEqual(report.processes[1]!.end?.error, { origin: "uncaughtException", errorClass: "TypeError", message: "provider reply unreadable", frame: "Timeout.fail (file:///x.mjs:4:63)" });
  });

  it("gives memory and event-loop delay over time: min, median, max and the last sample", () => {
    const [grown, , flat] = report.processes;
    assert.deepEqual(grown!.health?.rssBytes, { min: 600 * MIB, median: 900 * MIB, max: 1500 * MIB, last: 1500 * MIB });
    assert.deepEqual(grown!.health?.loopDelayMaxMs, { min: 3, median: 12, max: 40, last: 40 });
    assert.equal(grown!.health?.samples, 3);
    assert.deepEqual(flat!.health?.rssBytes, { min: 410 * MIB, median: 412 * MIB, max: 415 * MIB, last: 412 * MIB });
    assert.deepEqual(flat!.health?.heapUsedBytes, { min: 190 * MIB, median: 192 * MIB, max: 195 * MIB, last: 192 * MIB });
    assert.equal(flat!.health?.lastSampleAt, at(10));
  });

  it("counts the restarts and what preceded them", () => {
    assert.deepEqual(report.restarts, { count: 2, afterUnrecordedEnd: 1, afterUncaught: 1 });
    assert.deepEqual(summariseTrace(contents.records, { since: at(6) }).restarts, { count: 1, afterUnrecordedEnd: 0, afterUncaught: 1 });
  });

  it("renders each process's end, uptime, memory and loop delay as text", () => {
    const text = renderTraceReport(contents, report).join("\n");
    assert.match(text, /gateway pid 100: .*\n {4}ended without a record \(killed, out of memory or a native crash\), last seen .*, up 3 min 0 s\n {4}memory \(min \/ median \/ max over 3 samples\): rss 600\.0 MiB \/ 900\.0 MiB \/ 1500\.0 MiB, last 1500\.0 MiB/);
    assert.match(text, /ended .*: uncaught exception TypeError "provider reply unreadable" at Timeout\.fail \(file:\/\/\/x\.mjs:4:63\), exit code 1, up 2 min 30 s/);
    assert.match(text, /gateway pid 300: .*\n {4}ended .*: exited, exit code 0, up 3 min 20 s/);
    assert.match(text, /event-loop delay per sample: p99 0\.5 ms \/ 0\.5 ms \/ 0\.6 ms, last 0\.5 ms; max 1\.5 ms \/ 1\.6 ms \/ 1\.8 ms, last 1\.6 ms/);
    assert.match(text, /restarts: 2 \(1 after an end without a record, 1 after an uncaught exception\)/);
  });
});
