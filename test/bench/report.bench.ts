// `npm run bench`, its report part: what `openclaw-patch report --html` costs on a long trace, beside
// the ten-minute fixture as the baseline measured in the same run. Per trace: the command's wall time
// and peak memory, the page's weight, and the time from navigation until every chart has drawn in
// headless Chromium (the page's own `data-report-ready-ms`). The day and the week are synthetic traces
// with the runtime's line shapes (test/report/synthetic-trace.ts). Every loop is bounded by RUNS.
import { writeFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromiumSkipReason, visitOfflinePage } from "../support/browser.js";
import { CLI } from "../support/cli.js";
import { FIXTURES, T0 } from "../trace/fixtures.js";
import { syntheticTrace } from "../report/synthetic-trace.js";
import { describeRssMethod, median, probeResources, rssMethod, timeNode } from "./child-timing.js";

const RUNS = Math.min(15, Math.max(1, Number(process.env.OCP_BENCH_RUNS ?? 5) || 5));
const CHILD_TIMEOUT_MS = 2 * 60_000;
const READY_BOUND_MS = 60_000;

interface Figures {
  trace: string;
  traceBytes: number;
  commandMs: number;
  rssKiB: number;
  pageBytes: number;
  readyMs: number | undefined;
}

async function pageReadyMs(html: string, scratchDir: string): Promise<number | undefined> {
  const visit = await visitOfflinePage(html, {
    scratchDir,
    viewport: { width: 1280, height: 900 },
    inspect: async (page) => {
      await page.waitForFunction("document.documentElement.dataset.reportState === 'ready'", undefined, { timeout: READY_BOUND_MS });
      return Number(await page.evaluate("document.documentElement.dataset.reportReadyMs"));
    },
  });
  if (visit.failure !== undefined) throw new Error(`the page did not get ready: ${visit.failure}`);
  return visit.result;
}

async function measure(name: string, trace: string, dir: string, browser: boolean): Promise<Figures> {
  const html = path.join(dir, `${path.basename(trace)}.html`);
  const args = [CLI, "report", trace, "--html", html];
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const result = await timeNode(args, CHILD_TIMEOUT_MS);
    if (result.code !== 0) throw new Error(`report ${trace} exited ${result.code}: ${result.stderr}`);
    times.push(result.ms);
  }
  const probe = await probeResources(rssMethod(), args, CHILD_TIMEOUT_MS);
  const ready: number[] = [];
  if (browser) for (let run = 0; run < RUNS; run++) ready.push((await pageReadyMs(html, dir))!);
  return { trace: name, traceBytes: (await stat(trace)).size, commandMs: median(times), rssKiB: probe.rssKiB, pageBytes: (await stat(html)).size, readyMs: browser ? median(ready) : undefined };
}

const dir = await mkdtemp(path.join(os.tmpdir(), "ocp-bench-report-"));
try {
  const browserSkip = chromiumSkipReason();
  const traces: [string, string][] = [["10 min (fixture, baseline)", path.join(FIXTURES, "health.jsonl")]];
  for (const [name, hours] of [["a day (synthetic)", 24], ["a week (synthetic)", 24 * 7]] as const) {
    const file = path.join(dir, `trace-${hours}h.jsonl`);
    writeFileSync(file, `${syntheticTrace(T0, hours).map((record) => JSON.stringify(record)).join("\n")}\n`);
    traces.push([name, file]);
  }
  const rows: Figures[] = [];
  for (const [name, file] of traces) rows.push(await measure(name, file, dir, browserSkip === false));
  const base = rows[0]!;
  const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;
  const ratio = (value: number, baseline: number): string => `×${(value / baseline).toFixed(2)}`;
  process.stdout.write(`\nreport --html, median of ${RUNS} runs each; peak memory by ${describeRssMethod(rssMethod())}\n`);
  process.stdout.write(`${"trace".padEnd(28)}${"trace size".padStart(11)}${"command".padStart(16)}${"peak RSS".padStart(12)}${"page".padStart(10)}${"charts drawn".padStart(20)}\n`);
  for (const row of rows) {
    const ready = row.readyMs === undefined ? `skipped` : `${row.readyMs} ms ${ratio(row.readyMs, base.readyMs!)}`;
    process.stdout.write(
      `${row.trace.padEnd(28)}${kib(row.traceBytes).padStart(11)}${`${Math.round(row.commandMs)} ms ${ratio(row.commandMs, base.commandMs)}`.padStart(16)}${`${Math.round(row.rssKiB / 1024)} MiB`.padStart(12)}${kib(row.pageBytes).padStart(10)}${ready.padStart(20)}\n`,
    );
  }
  if (browserSkip !== false) process.stdout.write(`charts drawn: ${browserSkip}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
