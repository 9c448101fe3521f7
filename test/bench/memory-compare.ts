// The README's memory comparison: the real 2026.3.24 gateway under the same load three times: stock,
// patched with every fix off and tracing on, and patched with the default settings. The load is a
// client that polls by opening a connection per check (every POLL_MS) and, every FROZEN_EVERY_MS,
// one authenticated peer that freezes (its kernel still ACKs, so TCP never gives up on it). Each
// visit of the poller broadcasts health and the presence list to every connected peer; a frozen peer
// keeps all of it queued, first in the kernel's send buffer (about 4 MB a socket here, not in the
// gateway's RSS) and then in the gateway's own memory. The patched gateway reaps frozen peers within
// its heartbeat; the stock one keeps them. See ws-clients.ts (connectPerPoll) for why the mix is real.
// Resident memory is read from /proc every SAMPLE_MS in every run; the traced runs also write a
// health summary at that period, and `openclaw-patch trace` of each is printed at the end.
// Run: npm run bench:memory (about 30 minutes). Knobs: OCP_MEMORY_RUN_MS (9 min per run),
// OCP_MEMORY_POLL_MS (500), OCP_MEMORY_FROZEN_EVERY_MS (30 s), OCP_MEMORY_STOCK=0 skips the stock run,
// OCP_MEMORY_KEEP_DIR keeps each run's trace file and this report in that folder.
import { readFileSync } from "node:fs";
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freshGatewayCopy, nodeVersionForGateway } from "../support/gateway-install.js";
import { startGateway } from "../support/gateway-process.js";
import { ensureNode } from "../support/node-binary.js";
import { makeScratch } from "../support/packages.js";
import { runCli } from "../support/cli.js";
import * as clients from "../support/ws-clients.js";
import { switchFixesOff, UNFIXED_ENV } from "./unfixed-install.js";

const RELEASE = "2026.3.24";
const RUN_MS = positive(process.env.OCP_MEMORY_RUN_MS, 9 * 60_000);
const POLL_MS = positive(process.env.OCP_MEMORY_POLL_MS, 500);
const FROZEN_EVERY_MS = positive(process.env.OCP_MEMORY_FROZEN_EVERY_MS, 30_000);
const WITH_STOCK = process.env.OCP_MEMORY_STOCK !== "0";
const KEEP_DIR = process.env.OCP_MEMORY_KEEP_DIR;
const SAMPLE_MS = 15_000;
const STOP_TIMEOUT_MS = 40_000;

interface Variant {
  /** Also the trace file's name. */
  slug: string;
  label: string;
  root: string;
  env: Record<string, string>;
  traced: boolean;
}

interface RunResult {
  rssMiB: number[];
  polls: number;
  frozen: number;
  failures: number;
}

function positive(raw: string | undefined, fallback: number): number {
  const n = Number(raw ?? fallback);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024);
}

async function run(variant: Variant, scratch: string, nodeBin: string, traceDir: string): Promise<RunResult> {
  const env = { ...variant.env, OPENCLAW_PATCH_TRACE_FILE: join(traceDir, `${variant.slug}.jsonl`), OPENCLAW_PATCH_SUMMARY_MS: String(SAMPLE_MS) };
  const gateway = await startGateway({ packageRoot: variant.root, nodeBin, scratchDir: join(scratch, `gateway-${variant.slug}`), env });
  const target = { port: gateway.port, token: gateway.token };
  const result: RunResult = { rssMiB: [rssMiB(gateway.pid)], polls: 0, frozen: 0, failures: 0 };
  const frozenPeers: clients.TestClient[] = [];
  const started = Date.now();
  const running = (): boolean => Date.now() - started < RUN_MS && !gateway.hasExited();
  const failed = (what: string) => (error: Error): void => {
    result.failures++;
    if (result.failures <= 5) process.stderr.write(`${variant.slug}: ${what} failed: ${error.message}\n`);
  };
  const poller = async (): Promise<void> => {
    while (running()) {
      const visit = Date.now();
      await clients.connectPerPoll(target).then(() => void result.polls++, failed("a poll"));
      await sleep(Math.max(0, POLL_MS - (Date.now() - visit)));
    }
  };
  const freezer = async (): Promise<void> => {
    while (running()) {
      const opened = Date.now();
      await clients.authenticatedFrozen(target).then((peer) => {
        frozenPeers.push(peer);
        result.frozen++;
      }, failed("a frozen peer"));
      await sleep(Math.min(Math.max(0, FROZEN_EVERY_MS - (Date.now() - opened)), Math.max(0, RUN_MS - (Date.now() - started))));
    }
  };
  const sampler = async (): Promise<void> => {
    for (let next = started + SAMPLE_MS; next <= started + RUN_MS && !gateway.hasExited(); next += SAMPLE_MS) {
      await sleep(Math.max(0, next - Date.now()));
      if (!gateway.hasExited()) result.rssMiB.push(rssMiB(gateway.pid));
    }
  };
  try {
    await Promise.all([poller(), freezer(), sampler()]);
  } finally {
    await gateway.stop("SIGTERM", { timeoutMs: STOP_TIMEOUT_MS });
    for (const peer of frozenPeers) peer.destroy();
  }
  return result;
}

function rssTable(variants: readonly Variant[], results: readonly RunResult[]): string[] {
  const width = Math.max(...variants.map((v) => v.label.length)) + 2;
  const lines = [`${"minute".padEnd(8)}${variants.map((v) => v.label.padStart(width)).join("")}`];
  for (let i = 0; i < Math.max(...results.map((r) => r.rssMiB.length)); i++) {
    const cells = results.map((r) => (r.rssMiB[i] === undefined ? "" : `${r.rssMiB[i]} MiB`).padStart(width));
    lines.push(`${((i * SAMPLE_MS) / 60_000).toFixed(2).padEnd(8)}${cells.join("")}`);
  }
  return lines;
}

const scratch = await makeScratch("memory-compare");
/** In the scratch folder: the gateway sees only the folders of /tmp its start names (gateway-process.ts). */
const traceDir = join(scratch, "traces");
try {
  await mkdir(traceDir, { recursive: true });
  const nodeBin = await ensureNode(nodeVersionForGateway(RELEASE));
  const patchedRoot = await freshGatewayCopy(RELEASE, join(scratch, "patched"));
  const unfixedRoot = await freshGatewayCopy(RELEASE, join(scratch, "unfixed"));
  for (const [root, state] of [[patchedRoot, "state-patched"], [unfixedRoot, "state-unfixed"]] as const) {
    const applied = await runCli(["apply", "--dir", root, "--state-dir", join(scratch, state)]);
    if (applied.code !== 0) throw new Error(`apply failed: ${applied.stderr}`);
  }
  const unfixedChunks = await switchFixesOff(unfixedRoot);
  const variants: Variant[] = [
    ...(WITH_STOCK ? [{ slug: "stock", label: "stock", root: await freshGatewayCopy(RELEASE, join(scratch, "stock")), env: {}, traced: false }] : []),
    { slug: "unfixed", label: "fixes off, traced", root: unfixedRoot, env: { ...UNFIXED_ENV }, traced: true },
    { slug: "patched", label: "patched", root: patchedRoot, env: {}, traced: true },
  ];
  const results: RunResult[] = [];
  for (const variant of variants) results.push(await run(variant, scratch, nodeBin, traceDir));

  const lines = [
    `openclaw ${RELEASE}, Node ${nodeVersionForGateway(RELEASE)}; each run ${RUN_MS / 60_000} min: a connect-per-poll client every ${POLL_MS} ms, an authenticated peer that freezes every ${FROZEN_EVERY_MS / 1000} s`,
    `"fixes off, traced": the patched install with every fix switched off in its ${unfixedChunks} patched chunks, tracing on; "patched": default settings`,
    ...variants.map((v, i) => `${v.label}: ${results[i]!.polls} polls, ${results[i]!.frozen} frozen peers, ${results[i]!.failures} failed visits`),
    "",
    "gateway resident memory (VmRSS):",
    ...rssTable(variants, results),
  ];
  for (const variant of variants.filter((v) => v.traced)) {
    const report = await runCli(["trace", join(traceDir, `${variant.slug}.jsonl`)]);
    lines.push("", `openclaw-patch trace of the ${variant.label} run:`, `${report.stdout}${report.stderr}`.trimEnd());
  }
  const text = `${lines.join("\n")}\n`;
  process.stdout.write(text);
  if (KEEP_DIR !== undefined) {
    const kept = resolve(KEEP_DIR);
    await writeFile(join(traceDir, "report.txt"), text);
    await cp(traceDir, kept, { recursive: true });
    process.stdout.write(`\ntrace files and this report kept in ${kept}\n`);
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
