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
import { gatewayScratchDir, gatewayTestsSkipReason, traceLines } from "./gateway-test-setup.js";
import { FAST_PATCH_ENV } from "./scenarios.js";
import { REDACTED } from "../../src/runtime/tracing/scrub.js";

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

interface ExpectedReport {
  firstPid: number;
  secondPid: number;
  /** The second gateway ended by itself on SIGTERM. */
  orderlyExit: boolean;
  release: string;
  toolVersion: string;
  install: string;
}

/** Every way the page breaks its contract, so that one run names them all. */
function pageContractViolations(visit: PageVisit<ReportPageState>, expected: ExpectedReport): string[] {
  const problems: string[] = [];
  const check = (holds: boolean, problem: string): void => {
    if (!holds) problems.push(problem);
  };
  const page = visit.result;
  if (page === undefined) return [`the page could not be read: ${String(visit.failure)}`];
  check(page.state === "ready", `reportState ${String(page.state)}, reportError ${String(page.error)}${page.waitedForReady === undefined ? "" : `; ${page.waitedForReady}`}`);
  for (const request of visit.requests.filter((r) => !r.isPageItself)) problems.push(`a request left the page: ${request.resourceType} ${request.url}`);
  check(visit.requests.filter((r) => r.isPageItself).length === 1, `the page's own file was requested once: ${JSON.stringify(visit.requests)}`);
  for (const error of visit.pageErrors) problems.push(`page error: ${error}`);
  for (const error of visit.consoleErrors) problems.push(`console error: ${error}`);

  const ids = page.figures.map((f) => f.id);
  check(JSON.stringify([...ids].sort()) === JSON.stringify([...CHART_IDS].sort()), `one figure.chart per chart: ${JSON.stringify(ids)}`);
  const report = page.report;
  if (report === null) return [...problems, "window.ocpReport is not set"];
  for (const figure of page.figures) {
    const described = JSON.stringify(figure);
    check(figure.series >= 1, `${figure.id} has no series: ${described}`);
    check(figure.seriesDrawn === figure.series, `${figure.id} drew ${figure.seriesDrawn} of its ${figure.series} series: ${described}`);
    check(figure.points >= 2, `${figure.id} has fewer than 2 points over time: ${described}`);
    check(figure.markers === report.markers.length, `${figure.id} drew ${figure.markers} of the ${report.markers.length} start and end markers: ${JSON.stringify(report.markers)}`);
    const chart = report.charts.find((c) => c.id === figure.id);
    if (chart === undefined) {
      problems.push(`window.ocpReport has no chart ${String(figure.id)}`);
      continue;
    }
    check(chart.series.length === figure.series, `${figure.id}: window.ocpReport has ${chart.series.length} series, the figure says ${figure.series}`);
    for (const series of chart.series.filter((one) => !one.drawn || one.points < 1)) problems.push(`${figure.id}: series ${JSON.stringify(series)} did not draw`);
  }

  const markers = report.markers;
  const of = (kind: string) => markers.filter((m) => m.kind === kind).map((m) => m.pid);
  check(of("start").length >= 2 && of("start").includes(expected.firstPid) && of("start").includes(expected.secondPid), `a start marker for each gateway (${expected.firstPid}, ${expected.secondPid}): ${JSON.stringify(markers)}`);
  check(JSON.stringify(of("unrecorded")) === JSON.stringify([expected.firstPid]), `one unrecorded end, of the SIGKILLed ${expected.firstPid}: ${JSON.stringify(markers)}`);
  if (expected.orderlyExit) check(JSON.stringify(of("exit")) === JSON.stringify([expected.secondPid]), `the orderly exit of the SIGTERMed ${expected.secondPid}: ${JSON.stringify(markers)}`);
  for (const marker of markers.filter((m) => !Number.isFinite(m.at))) problems.push(`a marker with no time: ${JSON.stringify(marker)}`);

  const header = page.header ?? "";
  check(header.includes(expected.release), `the header names the release ${expected.release}: ${JSON.stringify(header)}`);
  check(header.includes(expected.toolVersion), `the header names the tool version ${expected.toolVersion}: ${JSON.stringify(header)}`);
  check(header.includes(expected.install), `the header names the install ${expected.install}: ${JSON.stringify(header)}`);
  // The trace holds no secret (the peers' token never reaches it), so nothing should need redacting.
  check(!header.includes(REDACTED), `the header redacts part of a trace with no secret in it: ${JSON.stringify(header)}`);
  check(!(page.tables ?? "").includes(REDACTED), `the tables redact part of a trace with no secret in it: ${JSON.stringify((page.tables ?? "").split("\n").filter((line) => line.includes(REDACTED)))}`);
  check(/heartbeat/i.test(header), `the header names the settings in force: ${JSON.stringify(header)}`);
  check(page.tablesBelowCharts, "section#tables comes below the last chart");
  check(/ended without a record/.test(page.tables ?? ""), "the text report's process ends are in the tables");
  check(/heartbeat/.test(page.tables ?? ""), "the text report's reclaimed sockets are in the tables");
  return problems;
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

    const lines = traceLines(traceFile);
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

    const started = lines.find((l) => l.ev === "started");
    const expected: ExpectedReport = {
      firstPid: first.pid,
      secondPid: second.pid,
      orderlyExit: !stopped.forcedKill,
      release: String(started?.release),
      toolVersion: String(started?.tool),
      // Not at the default place, the trace names its install by its own path.
      install: traceFile,
    };
    assert.deepEqual(pageContractViolations(visit, expected), [], `the page against its contract (screenshot: ${screenshot})`);
    for (const gateway of [first, second]) assert.ok(!readFileSync(html, "utf8").includes(gateway.token), "the gateway's token is nowhere in the page");
  },
);
