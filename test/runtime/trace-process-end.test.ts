import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { attachOptions } from "./helpers.js";
import { readRecords, tempDir, type TraceRecord } from "../trace/runtime-tracing.js";

const bundle = new URL("../../runtime/openclaw-patch-runtime.mjs", import.meta.url).href;

/**
 * A child that serves under the runtime (when ATTACH=1) and then runs `body`. The same source runs
 * with and without the runtime, so their stacks, messages and exit codes can be compared.
 */
function runChild(file: string, body: string, attach = true): SpawnSyncReturns<string> {
  const script = `
    if (process.env.ATTACH === "1") {
      const runtime = await import(${JSON.stringify(bundle)});
      const hooks = runtime.attach(${JSON.stringify(attachOptions({}))});
      hooks.guardServer({ on() {}, prependListener() {}, close() {}, clients: new Set() }, "gateway");
    }
    ${body}
  `;
  const env: NodeJS.ProcessEnv = { ...process.env, OPENCLAW_PATCH_TRACE_FILE: file, OPENCLAW_PATCH_SUMMARY_MS: "50", ATTACH: attach ? "1" : "0" };
  delete env.OPENCLAW_PATCH_TRACE;
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8", timeout: 20_000 });
}

function linesOf(file: string, pid: number | undefined): TraceRecord[] {
  return readRecords(file).filter((record) => record.pid === pid);
}

describe("how a traced process ended", () => {
  it("records an orderly exit with its code and uptime", () => {
    const file = path.join(tempDir("end-exit"), "trace.jsonl");
    const child = runChild(file, "setTimeout(() => process.exit(3), 200);");
    assert.equal(child.status, 3, child.stderr);
    const exit = linesOf(file, child.pid).find((record) => record.ev === "exit");
    assert.equal(exit?.code, 3);
    assert.ok(typeof exit?.uptimeMs === "number" && exit.uptimeMs >= 200, JSON.stringify(exit));
    assert.equal(readRecords(file).find((record) => record.ev === "started")?.endRecords, true);
  });

  for (const [origin, body] of [
    ["uncaughtException", `setTimeout(function failsInTheGateway() { throw new TypeError("bad config token=s3cr3tvalue1234 " + "x".repeat(400)); }, 100);`],
    ["unhandledRejection", `setTimeout(async function failsInTheGateway() { throw new RangeError("rejected"); }, 100);`],
  ] as const) {
    it(`records an ${origin} and leaves Node's exit code and stderr as they were`, () => {
      const file = path.join(tempDir(`end-${origin}`), "trace.jsonl");
      const plain = runChild(path.join(tempDir("end-plain"), "trace.jsonl"), body, false);
      const traced = runChild(file, body);
      assert.equal(traced.status, plain.status);
      assert.equal(traced.signal, plain.signal);
      assert.equal(traced.stderr, plain.stderr);
      const records = linesOf(file, traced.pid);
      const uncaught = records.find((record) => record.ev === "uncaught");
      assert.ok(uncaught !== undefined, JSON.stringify(records));
      assert.equal(uncaught.origin, origin);
      assert.equal(uncaught.errorClass, origin === "uncaughtException" ? "TypeError" : "RangeError");
      assert.match(String(uncaught.frame), /failsInTheGateway/);
      const message = String(uncaught.message);
      assert.ok(!message.includes("s3cr3t") && message.length <= 200, `scrubbed and truncated: ${message}`);
      assert.deepEqual(records.filter((record) => record.ev === "exit").map((record) => record.code), [plain.status]);
    });
  }

  it("reports a killed process at the next start, with its last sample, once", () => {
    const file = path.join(tempDir("end-killed"), "trace.jsonl");
    const killed = runChild(file, `setTimeout(() => process.kill(process.pid, "SIGKILL"), 1_500);`);
    assert.equal(killed.signal, "SIGKILL");
    const lastSummary = linesOf(file, killed.pid).filter((record) => record.ev === "summary").at(-1);
    assert.ok(lastSummary !== undefined, "the killed process wrote summaries");
    const next = runChild(file, "setTimeout(() => process.exit(0), 1_000);");
    const report = linesOf(file, next.pid).find((record) => record.ev === "unrecorded-end");
    assert.ok(report !== undefined, JSON.stringify(readRecords(file).map((record) => record.ev)));
    assert.equal(report.endedPid, killed.pid);
    const sample = report.lastSample as TraceRecord;
    assert.equal(sample.ts, lastSummary.ts);
    assert.deepEqual(sample.memory, lastSummary.memory);
    assert.equal(report.lastSeen, Math.max(...linesOf(file, killed.pid).map((record) => record.ts)));
    const third = runChild(file, "setTimeout(() => process.exit(0), 1_000);");
    assert.equal(linesOf(file, third.pid).filter((record) => record.ev === "unrecorded-end").length, 0, "reported once, by the next start only");
  });
});
