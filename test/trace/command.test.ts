import assert from "node:assert/strict";
import fs from "node:fs";
import { afterEach, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { traceCommand } from "../../src/commands/trace.js";
import { isOcpError } from "../../src/core/diagnostics.js";
import { formatClock } from "../../src/trace/format.js";
import { GATEWAY_TRACE, at, captureIO, scratchCopy, type CapturedIO } from "./fixtures.js";

const CLOCK = /^\d{2}:\d{2}:\d{2}\.\d{3} /;

function appendLines(file: string, ...records: object[]): void {
  fs.appendFileSync(file, records.map((record) => `${JSON.stringify(record)}\n`).join(""));
}

/** Polls captured output, so follow tests wait for lines rather than for fixed times. */
async function waitForOutput(io: CapturedIO, count: number): Promise<string[]> {
  for (let waited = 0; waited < 3_000 && io.stdout.length < count; waited += 10) await sleep(10);
  return io.stdout;
}

describe("openclaw-patch trace", () => {
  const savedTraceFile = process.env.OPENCLAW_PATCH_TRACE_FILE;
  afterEach(() => {
    if (savedTraceFile === undefined) delete process.env.OPENCLAW_PATCH_TRACE_FILE;
    else process.env.OPENCLAW_PATCH_TRACE_FILE = savedTraceFile;
  });

  it("prints a compact report of a trace and its rotated copies", async () => {
    const io = captureIO();
    await traceCommand(GATEWAY_TRACE, {}, io);
    const text = io.stdout.join("\n");
    assert.match(io.stdout[0]!, /^openclaw-patch trace: .*gateway\.jsonl \(\+1 rotated\)$/);
    assert.match(text, /47 events, .*; 1 unreadable line skipped/);
    assert.match(text, /connections: 8 opened, 6 authenticated, 6 closed, 1 open at the end, 1 unclosed when their gateway was replaced/);
    assert.match(text, /close started by: gateway 3 \(1000 ×1, 1008 ×1, 1012 ×1\); peer 2 \(1001 ×1, none ×1\); no close start 1/);
    assert.match(text, /reclaimed by the fixes: bounded-shutdown ×1, close-grace ×1, heartbeat ×1; 1 missed pong/);
    assert.match(text, /event-loop stalls: 2, longest 2\.3 s at .*, total 3\.8 s/);
    assert.match(text, /longest-held sockets:\n {4}conn 1 pid 4242 127\.0\.0\.1:50001: 4 min 29 s, closed 1000 \(gateway started\)/);
    assert.match(text, /latest summary .*: 1 open, 0 closing, 0 B buffered, 38 open files/);
    assert.match(text, /openclaw-patch repatch-failed: OCP_SITE_NOT_FOUND: OpenClaw 2026\.3\.25 moved/);
    assert.deepEqual(io.stderr, []);
  });

  it("prints the same data as JSON with --json", async () => {
    const io = captureIO(true);
    await traceCommand(GATEWAY_TRACE, { json: true }, io);
    const data = JSON.parse(io.stdout.join("\n")) as Record<string, any>;
    assert.equal(data.command, "trace");
    assert.deepEqual(data.files, [`${GATEWAY_TRACE}.1`, GATEWAY_TRACE]);
    assert.equal(data.tornLines, 1);
    assert.deepEqual(data.reclaimed, { heartbeat: 1, "close-grace": 1, "bounded-shutdown": 1 });
    assert.equal(data.stalls.longestMs, 2310);
    assert.equal(data.longestHeld[0].durationMs, 269_003);
    assert.equal(data.timeline.length, 6);
    assert.equal(data.latestSummary.pid, 4310);
  });

  it("limits the report with --since and rejects a --since it cannot read", async () => {
    const io = captureIO(true);
    await traceCommand(GATEWAY_TRACE, { json: true, since: "2026-05-01T10:04:00Z" }, io);
    const data = JSON.parse(io.stdout.join("\n")) as Record<string, any>;
    assert.equal(data.since, at(4));
    assert.deepEqual(data.reclaimed, { "bounded-shutdown": 1 });
    await assert.rejects(traceCommand(GATEWAY_TRACE, { since: "last tuesday-ish" }, captureIO()), (error: unknown) => isOcpError(error) && error.diagnostic.code === "OCP_BAD_OPTION");
  });

  it("reads the default file from the runtime's path rules", async () => {
    process.env.OPENCLAW_PATCH_TRACE_FILE = scratchCopy(GATEWAY_TRACE);
    const io = captureIO();
    await traceCommand(undefined, {}, io);
    assert.match(io.stdout[0]!, /gateway\.jsonl \(\+1 rotated\)$/);
  });

  it("fails with OCP_TRACE_MISSING and a remedy when there is no trace", async () => {
    await assert.rejects(traceCommand("/nonexistent/trace.jsonl", {}, captureIO()), (error: unknown) => {
      assert.ok(isOcpError(error));
      assert.equal(error.diagnostic.code, "OCP_TRACE_MISSING");
      assert.match(error.diagnostic.remedy, /OPENCLAW_PATCH_TRACE/);
      return true;
    });
  });

  it("--follow prints new events as they are written, across a rotation, until stopped", async () => {
    const file = scratchCopy(GATEWAY_TRACE);
    const io = captureIO();
    const stop = new AbortController();
    const following = traceCommand(file, { follow: true, signal: stop.signal, pollMs: 20 }, io);
    await sleep(50);
    assert.deepEqual(io.stdout, [], "existing lines are not replayed without --since");
    assert.match(io.stderr[0]!, /^following .*gateway\.jsonl/);

    const openedAt = Date.now();
    appendLines(
      file,
      { ts: openedAt, pid: 4310, ev: "open", conn: 17, server: "gateway", peer: "127.0.0.1", port: 50300 },
      { ts: openedAt + 31_200, pid: 4310, ev: "terminated", conn: 17, mechanism: "heartbeat", bufferedAmount: 0 },
    );
    const lines = await waitForOutput(io, 2);
    assert.equal(lines[0], `${formatClock(openedAt)} conn 17 opened from 127.0.0.1:50300 (gateway)`);
    assert.equal(lines[1], `${formatClock(openedAt + 31_200)} conn 17 terminated by heartbeat after 31.2 s`);

    appendLines(file, { ts: openedAt + 31_300, pid: 4310, ev: "closed", conn: 17, code: 1006, durationMs: 31_301 });
    fs.renameSync(file, `${file}.1`);
    appendLines(file, { ts: openedAt + 40_000, pid: 4310, ev: "stall", ms: 1_532 });
    const afterRotation = await waitForOutput(io, 4);
    assert.match(afterRotation[2]!, /conn 17 closed 1006 after 31\.3 s$/);
    assert.match(afterRotation[3]!, /event loop stalled for 1\.5 s$/);

    stop.abort();
    await following;
  });

  it("--follow --since replays matching lines first; --json prints records; SIGINT stops it", async () => {
    const file = scratchCopy(GATEWAY_TRACE);
    const io = captureIO(true);
    const following = traceCommand(file, { follow: true, json: true, since: "2026-05-01T10:05:00Z", pollMs: 20 }, io);
    const replayed = await waitForOutput(io, 10);
    const events = replayed.map((line) => JSON.parse(line) as { ev: string; ts: number });
    assert.ok(events.every((event) => event.ts >= at(5)));
    assert.deepEqual(events.map((event) => event.ev), ["shutdown", "close-start", "terminated", "closed", "repatch-failed", "started", "attach", "open", "auth", "summary"]);
    for (const line of replayed) assert.doesNotMatch(line, CLOCK);
    process.emit("SIGINT");
    await following;
    assert.equal(process.listenerCount("SIGINT"), 0, "the SIGINT handler is removed");
  });
});
