import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { reportCommand } from "../../src/commands/report.js";
import { isOcpError } from "../../src/core/diagnostics.js";
import { buildReport } from "../../src/report/build-report.js";
import { readPageAssets } from "../../src/report/page-assets.js";
import { renderReportHtml } from "../../src/report/render-html.js";
import { MAX_POINTS, timeBuckets } from "../../src/report/time-buckets.js";
import { readTrace, type TraceContents } from "../../src/trace/read-trace.js";
import { FIXTURES, captureIO, T0 } from "../trace/fixtures.js";
import { tempDir } from "../trace/runtime-tracing.js";
import { syntheticTrace } from "./synthetic-trace.js";

const HEALTH_TRACE = path.join(FIXTURES, "health.jsonl");
const MIB = 2 ** 20;
const HOUR = 3_600_000;

function contentsOf(records: TraceContents["records"]): TraceContents {
  return { file: "/state/logs/openclaw-patch-trace.jsonl", files: ["/state/logs/openclaw-patch-trace.jsonl"], records, malformedLines: 0, tornLines: 0 };
}

async function expectCode(run: () => Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(run, (error: unknown) => isOcpError(error) && error.diagnostic.code === code);
}

describe("report: the data the page charts", () => {
  it("downsamples any period to at most MAX_POINTS buckets of a width one can say aloud", () => {
    for (const [span, width] of [
      [90_000, 1_000],
      [2 * HOUR, 15_000],
      [24 * HOUR, 300_000],
      [7 * 24 * HOUR, 900_000],
      [365 * 24 * HOUR, 24 * HOUR],
    ] as const) {
      const buckets = timeBuckets(T0 + 123, T0 + 123 + span);
      assert.equal(buckets.widthMs, width, `span ${span}`);
      assert.ok(buckets.count <= MAX_POINTS, `span ${span}: ${buckets.count} buckets`);
      assert.equal(buckets.start % width, 0);
    }
  });

  it("charts the health fixture: gauges per bucket, the restarts as markers, the settings in force", () => {
    const { data, tables } = buildReport(readTrace(HEALTH_TRACE), { install: "/home/gw/.openclaw", now: T0 });
    const chart = (id: string) => data.charts.find((one) => one.id === id)!;
    assert.deepEqual(data.charts.map((one) => one.id), ["sockets", "reclaimed", "memory", "loop-delay", "stalls"]);
    assert.equal(data.bucketMs, 1_000);
    const rss = chart("memory").series[0]!.values.filter((value) => value !== null);
    assert.deepEqual(rss.map((value) => value! / MIB), [600, 900, 1500, 420, 430, 410, 415, 412]);
    assert.deepEqual(chart("sockets").series.map((one) => Math.max(...one.values.map((value) => value ?? 0))), [2, 5]);
    assert.deepEqual(chart("reclaimed").series.map((one) => [one.label, one.values.reduce((sum, value) => sum! + value!, 0)]), [["heartbeat", 1]]);
    assert.deepEqual(
      data.markers.map((marker) => [marker.kind, marker.pid]),
      [["start", 100], ["unrecorded", 100], ["start", 200], ["uncaught", 200], ["start", 300], ["exit", 300]],
    );
    assert.equal(data.header.install, "/home/gw/.openclaw");
    assert.deepEqual(data.header.releases, ["2026.3.24"]);
    assert.deepEqual(data.header.settings.slice(0, 2), [["fixes", "heartbeat"], ["node", "v24.14.0"]]);
    assert.ok(tables.some((line) => line.includes("ended without a record")), tables.join("\n"));
  });

  it("adds up the processes that sampled in one bucket and keeps each one's largest sample", () => {
    const summary = (ts: number, pid: number, open: number) => ({ ts, pid, ev: "summary", sockets: { open, closing: 0 }, memory: { rss: open * MIB, heapUsed: 1, heapTotal: 2 } });
    const { data } = buildReport(contentsOf([summary(T0, 1, 3), summary(T0 + 100, 1, 5), summary(T0 + 200, 2, 7), summary(T0 + 5_000, 2, 1)]), { install: "x", now: T0 });
    const open = data.charts.find((one) => one.id === "sockets")!.series[0]!.values;
    assert.equal(open[0], 12);
    assert.equal(open.at(-1), 1);
    assert.deepEqual(open.slice(1, -1), [null, null, null, null]);
  });

  it("says why a chart is empty when the runtime predates health samples", () => {
    const { data } = buildReport(contentsOf([{ ts: T0, pid: 1, ev: "summary", sockets: { open: 1, closing: 0 } }, { ts: T0 + 60_000, pid: 1, ev: "open", conn: 1 }]), { install: "x", now: T0 });
    assert.match(data.charts.find((one) => one.id === "memory")!.note ?? "", /predates health samples/);
    assert.equal(data.charts.find((one) => one.id === "sockets")!.note, undefined);
  });

  it("refuses a period without events", () => {
    assert.throws(() => buildReport(readTrace(HEALTH_TRACE), { install: "x", now: T0, since: T0 + 24 * HOUR }), (error: unknown) => isOcpError(error) && error.diagnostic.code === "OCP_REPORT_NO_EVENTS");
  });
});

describe("report: the page", () => {
  it("is one file that asks for nothing: a strict content policy, no external element, the data escaped", () => {
    const secret = "sk-live-0123456789abcdef0123456789";
    const records = readTrace(HEALTH_TRACE).records.map((record) =>
      record.ev === "uncaught" ? { ...record, errorClass: `</script><script>alert(1)</script>`, message: `token=${secret}` } : record,
    );
    records.push({ ts: records.at(-1)!.ts, pid: 0, ev: "repatch-failed", source: "cli", code: "OCP_X", message: `apiKey=${secret}` });
    const { data, tables } = buildReport(contentsOf(records), { install: "/home/gw/.openclaw", now: T0 });
    const html = renderReportHtml(data, tables, readPageAssets());
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">/);
    assert.doesNotMatch(html, /<(?:link|img|iframe|object|embed)\b/i);
    assert.doesNotMatch(html, /<script[^>]+\bsrc=/i);
    assert.equal(html.match(/<script\b/gi)?.length, 2, "the data and the page's own script, nothing else");
    assert.equal(html.match(/<\/script>/gi)?.length, 2);
    assert.ok(!html.includes(secret), "a secret in the trace reached the page");
    assert.match(html, /Leon Sorokin/, "the charting library's licence travels with it");
  });

  it("keeps a day's trace small and a week's to MAX_POINTS points per series", () => {
    const day = buildReport(contentsOf(syntheticTrace(T0, 24)), { install: "x", now: T0 });
    const dayBytes = Buffer.byteLength(renderReportHtml(day.data, day.tables, readPageAssets()));
    assert.ok(dayBytes < 400 * 1024, `a day's report weighs ${dayBytes} bytes`);
    const week = buildReport(contentsOf(syntheticTrace(T0, 24 * 7)), { install: "x", now: T0 });
    assert.ok(week.data.x.length <= MAX_POINTS);
    for (const chart of week.data.charts) for (const series of chart.series) assert.equal(series.values.length, week.data.x.length);
  });
});

describe("openclaw-patch report", () => {
  it("writes the page and says what it holds", async () => {
    const html = path.join(tempDir("report"), "gateway.html");
    const io = captureIO();
    await reportCommand([HEALTH_TRACE], { html }, io);
    assert.match(io.stdout[0]!, /^wrote .*gateway\.html \(\d+\.\d KiB\)$/);
    assert.match(fs.readFileSync(html, "utf8"), /<figure class="chart" data-chart="loop-delay">/);
    const json = captureIO(true);
    await reportCommand([HEALTH_TRACE], { html, json: true }, json);
    const printed = JSON.parse(json.stdout.join("\n"));
    assert.equal(printed.command, "report");
    assert.equal(printed.html, html);
    assert.equal(printed.markers.length, 6);
  });

  it("writes nothing on bad input: no --html, an empty trace, a folder that does not exist", async () => {
    const dir = tempDir("report-bad");
    const html = path.join(dir, "r.html");
    await expectCode(() => reportCommand([HEALTH_TRACE], {}, captureIO()), "OCP_BAD_OPTION");
    const empty = path.join(dir, "empty.jsonl");
    fs.writeFileSync(empty, "");
    await expectCode(() => reportCommand([empty], { html }, captureIO()), "OCP_REPORT_NO_EVENTS");
    await expectCode(() => reportCommand([path.join(dir, "absent.jsonl")], { html }, captureIO()), "OCP_TRACE_MISSING");
    await expectCode(() => reportCommand([HEALTH_TRACE], { html: path.join(dir, "no", "such", "r.html") }, captureIO()), "OCP_REPORT_UNWRITABLE");
    assert.deepEqual(fs.readdirSync(dir), ["empty.jsonl"]);
  });
});
