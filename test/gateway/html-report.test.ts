import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { chromiumSkipReason, visitOfflinePage, type PageVisit } from "../support/browser.js";
import { runCli } from "../support/cli.js";
import { freshGatewayCopy, nodeVersionForGateway } from "../support/gateway-install.js";
import { startGateway, type GatewayExit, type RunningGateway } from "../support/gateway-process.js";
import { ensureNode } from "../support/node-binary.js";
import * as clients from "../support/ws-clients.js";
import type { ClientKind, GatewayTarget, TestClient } from "../support/ws-clients.js";
import { gatewayScratchDir, gatewayTestsSkipReason } from "./gateway-test-setup.js";
import { FAST_PATCH_ENV } from "./scenarios.js";

const RELEASE = "2026.3.24";
const CHART_IDS = ["sockets", "reclaimed", "memory", "loop-delay", "stalls"] as const;
/**
 * The first gateway's peers misbehave this long before it is SIGKILLed; the second's, before SIGTERM.
 * Together more than a minute, so that figures per minute have at least two minutes to show.
 */
const FIRST_RUN_MS = 40_000;
const SECOND_RUN_MS = 25_000;
/** A SIGSTOP of the first gateway: a stall and a loop delay the charts must show. */
const STALL_MS = 3_000;
/** Bound on the page's own script reaching "ready" (or "error") once loaded. */
const READY_BOUND_MS = 30_000;
const REPO_ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const ARTIFACTS = resolve(process.env.OCP_TEST_ARTIFACTS || join(REPO_ROOT, "test-artifacts"));

/** One chart of `window.ocpReport`. */
interface ReportChart {
  id: string;
  series: { label: string; points: number; drawn: boolean }[];
}

/** What the page says about itself, read after its script ran (the page contract of `report --html`). */
interface ReportPageState {
  state: string | undefined;
  error: string | undefined;
  figures: { id: string | undefined; series: number; seriesDrawn: number; points: number; markers: number }[];
  report: { charts: ReportChart[]; markers: { at: number; kind: string; pid: number }[] } | null;
  header: string | null;
  tables: string | null;
  /** The tables come after the last chart in the document and start below it on the page. */
  tablesBelowCharts: boolean;
  waitedForReady: string | undefined;
}

// Runs inside the page (the project's TypeScript has no DOM types, so it is passed as text).
const READ_PAGE_STATE = `(() => {
  const root = document.documentElement;
  const figureElements = [...document.querySelectorAll("figure.chart")];
  const figures = figureElements.map((f) => ({ id: f.dataset.chart, series: Number(f.dataset.series), seriesDrawn: Number(f.dataset.seriesDrawn), points: Number(f.dataset.points), markers: Number(f.dataset.markers) }));
  const tables = document.querySelector("section#tables");
  const last = figureElements.at(-1);
  const below = !!(tables && last && (last.compareDocumentPosition(tables) & Node.DOCUMENT_POSITION_FOLLOWING) && tables.getBoundingClientRect().top >= last.getBoundingClientRect().bottom);
  return {
    state: root.dataset.reportState,
    error: root.dataset.reportError,
    figures,
    report: window.ocpReport === undefined ? null : JSON.parse(JSON.stringify(window.ocpReport)),
    header: document.querySelector("header")?.innerText ?? null,
    tables: tables?.innerText ?? null,
    tablesBelowCharts: below,
  };
})()`;

interface TraceLine {
  ts: number;
  pid: number;
  ev: string;
  [key: string]: unknown;
}

function readTrace(file: string): TraceLine[] {
  return readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line) as TraceLine);
}

/** Connects peers one after another; each client bounds its own setup. */
async function connectAll(target: GatewayTarget, kinds: readonly ClientKind[]): Promise<TestClient[]> {
  const connected: TestClient[] = [];
  for (const kind of kinds) connected.push(await clients[kind](target));
  return connected;
}

/** Waits for the page's script to finish (bounded), screenshots the whole page whatever the outcome, then reads it. */
function inspectReport(screenshot: string): (page: Page) => Promise<ReportPageState> {
  return async (page) => {
    let waitedForReady: string | undefined;
    try {
      await page.waitForFunction('["ready", "error"].includes(document.documentElement.dataset.reportState)', undefined, { timeout: READY_BOUND_MS });
    } catch (error) {
      waitedForReady = error instanceof Error ? error.message.split("\n")[0] : String(error);
    }
    await page.screenshot({ path: screenshot, fullPage: true });
    return { ...(await page.evaluate<Omit<ReportPageState, "waitedForReady">>(READ_PAGE_STATE)), waitedForReady };
  };
}

function describeVisit(visit: PageVisit<unknown>): string {
  return JSON.stringify({ failure: visit.failure, requests: visit.requests, consoleErrors: visit.consoleErrors, pageErrors: visit.pageErrors }, null, 1);
}

test("the browser harness names a page's stray requests and lets none of them out", { skip: chromiumSkipReason(), timeout: 2 * 60_000 }, async (t) => {
  const scratch = await gatewayScratchDir("browser-harness");
  t.after(scratch.cleanup);
  let served = 0;
  const server = createServer((_request, response) => {
    served += 1;
    response.end("/* served */");
  });
  server.on("upgrade", (_request, socket) => {
    served += 1;
    socket.destroy();
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  t.after(() => new Promise<void>((closed) => server.close(() => closed())));
  const origin = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const page = join(scratch.dir, "stray.html");
  await writeFile(
    page,
    `<!doctype html><html><head><script src="https://cdn.jsdelivr.net/npm/chart.js"></script><link rel="stylesheet" href="http://${origin}/style.css"></head>` +
      `<body><img src="http://${origin}/chart.png"><script>fetch("http://${origin}/data").catch(() => {}); new WebSocket("ws://${origin}/live");</script></body></html>`,
  );

  const visit = await visitOfflinePage(page, { scratchDir: scratch.dir, inspect: async (p) => p.waitForTimeout(1_000) });
  assert.equal(visit.failure, undefined, describeVisit(visit));
  assert.deepEqual(
    visit.requests.map((r) => `${r.resourceType} ${r.url}`).sort(),
    [
      `document file://${page}`,
      `fetch http://${origin}/data`,
      `image http://${origin}/chart.png`,
      "script https://cdn.jsdelivr.net/npm/chart.js",
      `stylesheet http://${origin}/style.css`,
      `websocket ws://${origin}/live`,
    ].sort(),
  );
  assert.equal(served, 0, "nothing the page asked for reached the server");
});

test(
  "the HTML report of a real gateway's trace, two starts and a SIGKILL, draws every chart in Chromium with no request leaving the page",
  { skip: gatewayTestsSkipReason() || chromiumSkipReason(), timeout: 10 * 60_000 },
  async (t) => {
    const scratch = await gatewayScratchDir("html-report");
    t.after(scratch.cleanup);
    const nodeBin = await ensureNode(nodeVersionForGateway(RELEASE));
    const root = await freshGatewayCopy(RELEASE, scratch.dir);
    assert.equal((await runCli(["apply", "--dir", root, "--state-dir", join(scratch.dir, "state")])).code, 0);
    const traceFile = join(scratch.dir, "trace.jsonl");
    const env = {
      ...FAST_PATCH_ENV,
      OPENCLAW_PATCH_HEADERS_TIMEOUT_MS: "2000",
      OPENCLAW_HANDSHAKE_TIMEOUT_MS: "2000",
      OPENCLAW_PATCH_TRACE_FILE: traceFile,
      OPENCLAW_PATCH_SUMMARY_MS: "1000",
    };
    const peers: TestClient[] = [];
    const gateways: RunningGateway[] = [];
    t.after(async () => {
      for (const peer of peers) peer.destroy();
      for (const gateway of gateways) await gateway.stop("SIGKILL");
    });

    // First start: every kind of misbehaving peer, a stall, the flood last (it keeps the gateway busy
    // for seconds, which would time out the setup of peers after it), then SIGKILL: no exit record.
    const first = await startGateway({ packageRoot: root, nodeBin, scratchDir: join(scratch.dir, "first"), env });
    gateways.push(first);
    const firstTarget = { port: first.port, token: first.token };
    peers.push(...(await connectAll(firstTarget, ["healthy", "authenticatedFrozen", "closeFrameThenNoRead", "preAuthFrozen", "canvasSilent", "halfUpgrade"])));
    await sleep(FIRST_RUN_MS / 3);
    process.kill(first.pid, "SIGSTOP");
    await sleep(STALL_MS);
    process.kill(first.pid, "SIGCONT");
    peers.push(...(await connectAll(firstTarget, ["authenticatedFrozen", "halfUpgrade", "frozenFullWindow"])));
    await sleep(FIRST_RUN_MS / 2);
    const killed = await first.stop("SIGKILL");
    assert.equal(killed.signal, "SIGKILL");

    // Second start on the same trace: it writes the first one's unrecorded end; more peers, then SIGTERM.
    const second = await startGateway({ packageRoot: root, nodeBin, scratchDir: join(scratch.dir, "second"), env });
    gateways.push(second);
    const secondTarget = { port: second.port, token: second.token };
    peers.push(...(await connectAll(secondTarget, ["healthy", "authenticatedFrozen", "closeFrameThenNoRead", "canvasSilent", "halfUpgrade"])));
    await sleep(SECOND_RUN_MS / 2);
    peers.push(...(await connectAll(secondTarget, ["authenticatedFrozen", "preAuthFrozen"])));
    await sleep(SECOND_RUN_MS / 2);
    const stopped: GatewayExit = await second.stop("SIGTERM", { timeoutMs: 30_000 });
    t.diagnostic(`first gateway pid ${first.pid} SIGKILLed; second pid ${second.pid} SIGTERM -> code ${String(stopped.code)} after ${Math.round(stopped.elapsedMs)} ms`);

    const lines = readTrace(traceFile);
    t.diagnostic(`trace: ${lines.length} lines, ${lines.filter((l) => l.ev === "terminated").length} sockets terminated, ${lines.filter((l) => l.ev === "stall").length} stalls`);
    assert.ok(lines.some((l) => l.pid === second.pid && l.ev === "unrecorded-end" && l.endedPid === first.pid), "the second start recorded the first one's unrecorded end");

    await mkdir(ARTIFACTS, { recursive: true });
    const html = join(ARTIFACTS, "html-report.html");
    const screenshot = join(ARTIFACTS, "html-report.png");
    const keptTrace = join(ARTIFACTS, "html-report.trace.jsonl");
    for (const stale of [html, screenshot, keptTrace]) await rm(stale, { force: true });
    await copyFile(traceFile, keptTrace);
    const rendered = await runCli(["report", traceFile, "--html", html]);
    assert.equal(rendered.code, 0, `report --html: ${rendered.stderr}`);

    const visit = await visitOfflinePage(html, { scratchDir: scratch.dir, inspect: inspectReport(screenshot) });
    t.diagnostic(`artefacts in ${ARTIFACTS}: html-report.png (screenshot, Chromium ${visit.browserVersion}), html-report.html, html-report.trace.jsonl`);
    assert.equal(visit.failure, undefined, describeVisit(visit));
    const page = visit.result!;
    t.diagnostic(`header: ${JSON.stringify(page.header)}`);
    t.diagnostic(`charts: ${JSON.stringify(page.figures)}`);
    t.diagnostic(`markers: ${JSON.stringify(page.report?.markers)}`);

    assert.equal(page.state, "ready", `reportState ${String(page.state)}, reportError ${String(page.error)}; ${page.waitedForReady ?? ""}\n${describeVisit(visit)}`);
    assert.deepEqual(visit.requests.filter((r) => !r.isPageItself), [], "no request other than the page's own file");
    assert.equal(visit.requests.filter((r) => r.isPageItself).length, 1, describeVisit(visit));
    assert.deepEqual(visit.pageErrors, []);
    assert.deepEqual(visit.consoleErrors, []);

    assert.deepEqual(page.figures.map((f) => f.id).sort(), [...CHART_IDS].sort(), "one figure.chart per chart");
    const report = page.report;
    assert.ok(report !== null, "window.ocpReport is set");
    for (const figure of page.figures) {
      const described = JSON.stringify(figure);
      assert.ok(figure.series >= 1, `${figure.id} has series: ${described}`);
      assert.equal(figure.seriesDrawn, figure.series, `every series of ${figure.id} drew: ${described}`);
      assert.ok(figure.points >= 2, `${figure.id} has points over time: ${described}`);
      assert.equal(figure.markers, report.markers.length, `${figure.id} drew every start and end marker: ${described} of ${JSON.stringify(report.markers)}`);
      const chart: ReportChart | undefined = report.charts.find((c) => c.id === figure.id);
      assert.ok(chart !== undefined, `window.ocpReport has chart ${String(figure.id)}`);
      assert.equal(chart.series.length, figure.series, `${figure.id}: the same series in window.ocpReport`);
      assert.deepEqual(chart.series.filter((s) => !s.drawn || s.points < 1), [], `${figure.id}: every series drew points`);
    }

    const markers = report.markers;
    const startsOf = (pid: number) => markers.filter((m) => m.kind === "start" && m.pid === pid).length;
    assert.ok(markers.filter((m) => m.kind === "start").length >= 2 && startsOf(first.pid) === 1 && startsOf(second.pid) === 1, `a start marker for each gateway: ${JSON.stringify(markers)}`);
    assert.deepEqual(markers.filter((m) => m.kind === "unrecorded").map((m) => m.pid), [first.pid], "the SIGKILLed gateway's end, unrecorded");
    if (!stopped.forcedKill) assert.deepEqual(markers.filter((m) => m.kind === "exit").map((m) => m.pid), [second.pid], "the SIGTERMed gateway's orderly exit");
    for (const marker of markers) assert.ok(Number.isFinite(marker.at), JSON.stringify(marker));

    const release = lines.find((l) => l.ev === "started")?.release as string;
    const toolVersion = lines.find((l) => l.ev === "started")?.tool as string;
    assert.ok(page.header?.includes(release) && page.header.includes(toolVersion), `the header names release ${release} and tool ${toolVersion}: ${String(page.header)}`);
    assert.ok(page.tablesBelowCharts, "the tables come below the charts");
    assert.match(page.tables ?? "", /ended without a record/, "the text report's process ends are in the tables");
    assert.match(page.tables ?? "", /heartbeat/, "the text report's reclaimed sockets are in the tables");
  },
);
