import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readTrace } from "../../src/trace/read-trace.js";
import { summariseTrace } from "../../src/trace/summarise.js";
import { isOcpError } from "../../src/core/diagnostics.js";
import { GATEWAY_TRACE, RESTART_TORN_TRACE, at } from "./fixtures.js";

describe("reading a trace", () => {
  it("reads rotated copies first and tolerates a torn last line", () => {
    const contents = readTrace(GATEWAY_TRACE);
    assert.deepEqual(contents.files, [`${GATEWAY_TRACE}.1`, GATEWAY_TRACE]);
    assert.equal(contents.records.length, 47);
    assert.equal(contents.records[0]!.ev, "started");
    assert.equal(contents.tornLines, 1);
    assert.equal(contents.malformedLines, 0);
  });

  it("recovers the line a restarted gateway appended after a torn one, and skips garbage", () => {
    const contents = readTrace(RESTART_TORN_TRACE);
    assert.deepEqual(contents.records.map((r) => `${r.pid} ${r.ev}`), ["4242 started", "4242 open", "4310 started", "4310 open", "4310 stall"]);
    assert.equal(contents.tornLines, 1);
    assert.equal(contents.malformedLines, 2);
  });

  it("throws OCP_TRACE_MISSING when neither the file nor a rotated copy exists", () => {
    assert.throws(
      () => readTrace("/nonexistent/openclaw-patch-trace.jsonl"),
      (error: unknown) => isOcpError(error) && error.diagnostic.code === "OCP_TRACE_MISSING" && error.diagnostic.remedy.length > 0,
    );
  });
});

describe("summarising a trace", () => {
  const { records } = readTrace(GATEWAY_TRACE);
  const report = summariseTrace(records);

  it("names the gateway processes and which one replaced the other", () => {
    assert.deepEqual(
      report.processes.map((p) => ({ pid: p.pid, release: p.release, ended: p.ended })),
      [
        { pid: 4242, release: "2026.3.24", ended: true },
        { pid: 4310, release: "2026.3.24", ended: false },
      ],
    );
    assert.equal(report.from, at(0));
    assert.equal(report.to, at(6, 10));
  });

  it("counts connections, including those lost at a restart and those still open", () => {
    assert.deepEqual(report.connections, { opened: 8, authenticated: 6, closed: 6, openAtEnd: 1, lostAtRestart: 1 });
    assert.deepEqual(report.oldestOpen, [{ pid: 4310, conn: 1, peer: "127.0.0.1", port: 50200, openedAt: at(5, 20), ageMs: 50_000 }]);
  });

  it("tallies close causes by who started them and with which code", () => {
    assert.deepEqual(report.closes, {
      byGateway: { total: 3, codes: { "1008": 1, "1000": 1, "1012": 1 } },
      byPeer: { total: 2, codes: { "1001": 1, none: 1 } },
      withoutCloseStart: 1,
      causes: { "close-frame": 1, "slow-consumer": 1, fin: 1, shutdown: 1 },
      closedCodes: { "1001": 1, "1006": 4, "1000": 1 },
    });
  });

  it("counts sockets reclaimed by each mechanism", () => {
    assert.deepEqual(report.reclaimed, { heartbeat: 1, "close-grace": 1, "bounded-shutdown": 1 });
    assert.equal(report.heartbeatMissed, 1);
  });

  it("summarises stalls", () => {
    assert.deepEqual(report.stalls, { count: 2, longestMs: 2310, totalMs: 3842, longestAt: at(3, 50) });
  });

  it("lists the longest-held sockets, longest first", () => {
    assert.deepEqual(
      report.longestHeld.map((h) => [h.conn, h.durationMs, h.closedBy ?? null, h.mechanism ?? null]),
      [
        [1, 269_003, "gateway", null],
        [2, 125_003, null, "heartbeat"],
        [6, 52_002, "gateway", "bounded-shutdown"],
        [3, 30_005, "peer", null],
        [5, 30_002, "peer", null],
        [4, 22_002, "gateway", "close-grace"],
      ],
    );
    assert.equal(summariseTrace(records, { top: 2 }).longestHeld.length, 2);
  });

  it("builds a per-minute timeline of opens, closes, terminations and stalls", () => {
    assert.deepEqual(
      report.timeline.map((m) => [(m.minute - at(0)) / 60_000, m.opened, m.closed, m.terminated, m.stalls]),
      [
        [0, 2, 0, 0, 0],
        [1, 1, 1, 0, 1],
        [2, 0, 1, 1, 0],
        [3, 2, 2, 1, 1],
        [4, 2, 1, 0, 0],
        [5, 1, 1, 1, 0],
      ],
    );
  });

  it("keeps the latest summary snapshot and the CLI's own lines", () => {
    assert.equal(report.latestSummary?.pid, 4310);
    assert.equal(report.latestSummary?.ts, at(6, 10));
    assert.deepEqual(report.cliEvents.map((e) => [e.ev, e.code]), [["repatch-failed", "OCP_SITE_NOT_FOUND"]]);
  });

  it("restricts everything but the process list to --since", () => {
    const recent = summariseTrace(records, { since: at(4) });
    assert.equal(recent.since, at(4));
    assert.equal(recent.from, at(4, 0, 3));
    assert.deepEqual(recent.reclaimed, { "bounded-shutdown": 1 });
    assert.equal(recent.stalls.count, 0);
    assert.deepEqual(recent.longestHeld.map((h) => [h.conn, h.durationMs, h.openedAt]), [[1, 269_003, at(0, 1)], [6, 52_002, at(4, 10)]]);
    assert.equal(recent.processes.length, 2);
  });
});
