// `npm run bench`: the engine's wall times on real releases, each beside a baseline measured in the
// same run, so a figure reads as "cost above the floor" rather than an absolute that depends on the
// machine. Every loop is bounded by the run count; every child has a timeout.
import { readFileSync, rmSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { listBundleFiles, prefilterFiles } from "../../src/core/scan.js";
import { SITES } from "../../src/sites/index.js";
import { CLI } from "../support/cli.js";
import { CURRENT_NODE_VERSION, ensureNode } from "../support/node-binary.js";
import { ensureRelease, makeScratch, scratchCopy } from "../support/packages.js";
import { describeRssMethod, probeResources, rssMethod, summarize, timeNode, type ChildRun, type Summary } from "./child-timing.js";

const RELEASES = (process.env.OCP_BENCH_RELEASES ?? "2026.3.24,2026.9.6").split(",").map((v) => v.trim()).filter(Boolean);
/** Runs per figure; clamped so a typo cannot start an unbounded bench. */
const RUNS = Math.min(25, Math.max(1, Number(process.env.OCP_BENCH_RUNS ?? 7) || 7));
const CHILD_TIMEOUT_MS = 3 * 60_000;

const APPLY_TARGET_MS = 1000;
const APPLY_TARGET_RELEASE = "2026.9.6";
const NO_CHANGE_MARGIN_MS = 100;
/** The Node lines the package's engines claim, at the versions the install lane tests. */
const STARTUP_NODES = (process.env.OCP_BENCH_NODES ?? `20.19.0,22.22.2,${CURRENT_NODE_VERSION}`).split(",").map((v) => v.trim()).filter(Boolean);

interface Row {
  release: string;
  measure: string;
  figure: Summary;
  rssKiB?: number;
  cpuMs?: number;
  baseline: string;
  base: Summary;
  target: string;
}

const scratches = new Set<string>();
function removeScratchesNow(): void {
  for (const dir of scratches) rmSync(dir, { recursive: true, force: true });
  scratches.clear();
}
process.once("SIGINT", () => {
  removeScratchesNow();
  process.exit(130);
});

async function freshCopy(version: string, label: string): Promise<{ scratch: string; root: string; stateDir: string }> {
  const scratch = await makeScratch(`bench-${label}-${version}`);
  scratches.add(scratch);
  const root = await scratchCopy(version, scratch);
  return { scratch, root, stateDir: path.join(scratch, "state") };
}

async function dropScratch(scratch: string): Promise<void> {
  await fs.rm(scratch, { recursive: true, force: true });
  scratches.delete(scratch);
}

function cliArgs(command: readonly string[], root: string, stateDir: string): string[] {
  return [CLI, ...command, "--dir", root, "--state-dir", stateDir, "--json"];
}

/** A timing only counts if the command did what it is named for. */
function expectOutcome(run: ChildRun, what: string, outcome?: string): void {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}\n${run.stderr}\n${run.stdout.slice(0, 2000)}`);
  if (outcome === undefined) return;
  const got = (JSON.parse(run.stdout) as { outcome?: string }).outcome;
  if (got !== outcome) throw new Error(`${what}: outcome ${got}, expected ${outcome}\n${run.stderr}`);
}

async function timeInProcess(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Baseline A: the project's own bundle listing plus the prefilter's single read of every candidate file. */
async function listAndPrefilter(pristine: string): Promise<number> {
  const files = listBundleFiles(pristine);
  const hits = prefilterFiles(pristine, files, SITES.map((s) => s.prefilter));
  return hits.length;
}

/** Baseline B: only the reads, of a list made beforehand, the way the prefilter reads (readFileSync). */
function plainRead(pristine: string, files: readonly string[]): void {
  for (const rel of files) readFileSync(path.join(pristine, rel));
}

async function benchRelease(version: string, method: ReturnType<typeof rssMethod>): Promise<{ rows: Row[]; notes: string[] }> {
  const pristine = await ensureRelease(version);
  const files = listBundleFiles(pristine);
  const rows: Row[] = [];
  const notes: string[] = [];

  // Warm-up: page cache for the package and the tool's own modules, JIT for the in-process baseline.
  const patched = await freshCopy(version, "patched");
  expectOutcome(await timeNode(cliArgs(["apply"], patched.root, patched.stateDir), CHILD_TIMEOUT_MS), `${version} warm-up apply`, "applied");
  const hitCount = await listAndPrefilter(pristine);
  plainRead(pristine, files);
  expectOutcome(await timeNode(["-e", "0"], CHILD_TIMEOUT_MS), "bare node");
  notes.push(`${version}: ${files.length} bundle files listed, ${hitCount} pass the prefilter`);

  // Fresh apply: a new hardlinked copy and state dir per run (copying is not timed), each run
  // interleaved with both in-process baselines so drift on a shared machine hits all three alike.
  const applyMs: number[] = [];
  const prefilterMs: number[] = [];
  const readMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const copy = await freshCopy(version, "apply");
    const run = await timeNode(cliArgs(["apply"], copy.root, copy.stateDir), CHILD_TIMEOUT_MS);
    expectOutcome(run, `${version} apply`, "applied");
    applyMs.push(run.ms);
    await dropScratch(copy.scratch);
    prefilterMs.push(await timeInProcess(() => listAndPrefilter(pristine)));
    readMs.push(await timeInProcess(async () => plainRead(pristine, files)));
  }
  const rssCopy = await freshCopy(version, "apply-rss");
  const applyRss = await probeResources(method, cliArgs(["apply"], rssCopy.root, rssCopy.stateDir), CHILD_TIMEOUT_MS);
  expectOutcome(applyRss.run, `${version} apply (RSS run)`, "applied");
  await dropScratch(rssCopy.scratch);

  const apply = summarize(applyMs);
  const applyTarget =
    version === APPLY_TARGET_RELEASE ? `< ${APPLY_TARGET_MS} ms: ${apply.median < APPLY_TARGET_MS ? "target met" : "target missed"}` : "(none)";
  rows.push({ release: version, measure: "apply (fresh copy, warm cache)", figure: apply, rssKiB: applyRss.rssKiB, cpuMs: applyRss.cpuMs, baseline: "list + prefilter read (in-proc)", base: summarize(prefilterMs), target: applyTarget });
  rows.push({ release: version, measure: "  same apply, other baseline", figure: apply, baseline: "plain read of listed files", base: summarize(readMs), target: "" });

  // Commands on a patched install, each interleaved with its own bare Node starts.
  const commands: { measure: string; args: string[]; outcome?: string; margin: boolean }[] = [
    { measure: "verify", args: ["verify"], margin: false },
    { measure: "status", args: ["status"], margin: false },
    { measure: "apply, nothing to do", args: ["apply"], outcome: "unchanged", margin: true },
    { measure: "apply --if-needed, no change", args: ["apply", "--if-needed"], outcome: "unchanged", margin: true },
  ];
  const bareArgs = ["-e", "0"];
  for (const command of commands) {
    const args = cliArgs(command.args, patched.root, patched.stateDir);
    expectOutcome(await timeNode(args, CHILD_TIMEOUT_MS), `${version} ${command.measure} (warm-up)`, command.outcome);
    const commandMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const bare = await timeNode(bareArgs, CHILD_TIMEOUT_MS);
      expectOutcome(bare, "bare node");
      bareMs.push(bare.ms);
      const run = await timeNode(args, CHILD_TIMEOUT_MS);
      expectOutcome(run, `${version} ${command.measure}`, command.outcome);
      commandMs.push(run.ms);
    }
    const rss = await probeResources(method, args, CHILD_TIMEOUT_MS);
    expectOutcome(rss.run, `${version} ${command.measure} (RSS run)`, command.outcome);
    const figure = summarize(commandMs);
    const base = summarize(bareMs);
    const target = command.margin
      ? `Δ <= ${NO_CHANGE_MARGIN_MS} ms: ${figure.median - base.median <= NO_CHANGE_MARGIN_MS ? "target met" : "target missed"}`
      : "(none)";
    rows.push({ release: version, measure: command.measure, figure, rssKiB: rss.rssKiB, cpuMs: rss.cpuMs, baseline: "bare node -e 0 (child)", base, target });
  }
  const bareRss = await probeResources(method, bareArgs, CHILD_TIMEOUT_MS);
  notes.push(`${version}: bare node -e 0: peak RSS ${mib(bareRss.rssKiB)}, CPU ${ms(bareRss.cpuMs)}`);
  await dropScratch(patched.scratch);
  return { rows, notes };
}

interface StartupRow {
  node: string;
  bare: Summary;
  help: Summary;
  ifNeeded: Summary;
}

/**
 * The two starts an operator meets most, under each Node the package claims: `--help`, and the
 * no-change `apply --if-needed` that runs before every gateway start. Each run is interleaved with
 * a bare start of the same Node, the floor no command can go below.
 */
async function benchStartup(): Promise<StartupRow[]> {
  const patched = await freshCopy(APPLY_TARGET_RELEASE, "startup");
  expectOutcome(await timeNode(cliArgs(["apply"], patched.root, patched.stateDir), CHILD_TIMEOUT_MS), `${APPLY_TARGET_RELEASE} apply (startup bench)`, "applied");
  const rows: StartupRow[] = [];
  for (const version of STARTUP_NODES) {
    const node = await ensureNode(version);
    const commands = { help: [CLI, "--help"], ifNeeded: cliArgs(["apply", "--if-needed"], patched.root, patched.stateDir) };
    expectOutcome(await timeNode(commands.help, CHILD_TIMEOUT_MS, node), `--help under Node ${version} (warm-up)`);
    expectOutcome(await timeNode(commands.ifNeeded, CHILD_TIMEOUT_MS, node), `apply --if-needed under Node ${version} (warm-up)`, "unchanged");
    const samples = { bare: [] as number[], help: [] as number[], ifNeeded: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      const bare = await timeNode(["-e", "0"], CHILD_TIMEOUT_MS, node);
      expectOutcome(bare, `bare Node ${version}`);
      samples.bare.push(bare.ms);
      const help = await timeNode(commands.help, CHILD_TIMEOUT_MS, node);
      expectOutcome(help, `--help under Node ${version}`);
      samples.help.push(help.ms);
      const ifNeeded = await timeNode(commands.ifNeeded, CHILD_TIMEOUT_MS, node);
      expectOutcome(ifNeeded, `apply --if-needed under Node ${version}`, "unchanged");
      samples.ifNeeded.push(ifNeeded.ms);
    }
    rows.push({ node: `v${version}`, bare: summarize(samples.bare), help: summarize(samples.help), ifNeeded: summarize(samples.ifNeeded) });
  }
  await dropScratch(patched.scratch);
  return rows;
}

function printStartup(rows: readonly StartupRow[]): void {
  const delta = (figure: Summary, base: Summary) => `${figure.median >= base.median ? "+" : ""}${ms(figure.median - base.median)}`;
  const header = ["node", "bare node -e 0", "--help", "Δ", `apply --if-needed, no change (${APPLY_TARGET_RELEASE})`, "Δ", "target"];
  const cells = rows.map((r) => [
    r.node,
    `${ms(r.bare.median)} (min ${ms(r.bare.min)})`,
    `${ms(r.help.median)} (min ${ms(r.help.min)})`,
    delta(r.help, r.bare),
    `${ms(r.ifNeeded.median)} (min ${ms(r.ifNeeded.min)})`,
    delta(r.ifNeeded, r.bare),
    `Δ <= ${NO_CHANGE_MARGIN_MS} ms: ${r.ifNeeded.median - r.bare.median <= NO_CHANGE_MARGIN_MS ? "target met" : "target missed"}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => c.map((x, i) => (i === 0 || i === c.length - 1 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join("  ").trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const c of cells) console.log(line(c));
}

const ms = (n: number) => `${n.toFixed(0)} ms`;
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;

function printTable(rows: readonly Row[]): void {
  const header = ["release", "measure", "median", "min", "peak RSS", "CPU", "baseline", "median", "min", "Δ median", "target"];
  const cells = rows.map((r) => [
    r.release,
    r.measure,
    ms(r.figure.median),
    ms(r.figure.min),
    r.rssKiB === undefined ? "" : mib(r.rssKiB),
    r.cpuMs === undefined ? "" : ms(r.cpuMs),
    r.baseline,
    ms(r.base.median),
    ms(r.base.min),
    `${r.figure.median >= r.base.median ? "+" : ""}${ms(r.figure.median - r.base.median)}`,
    r.target,
  ]);
  const numeric = new Set([2, 3, 4, 5, 7, 8, 9]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => c.map((x, i) => (numeric.has(i) ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join("  ").trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const c of cells) console.log(line(c));
}

async function main(): Promise<void> {
  const method = rssMethod();
  console.log(`openclaw-patch engine bench: node ${process.version}, ${os.cpus().length} CPU(s), ${RUNS} timed run(s) per figure (median, min)`);
  console.log(`  apply: \`node build/src/cli.js apply --dir <fresh hardlinked copy> --state-dir <fresh> --json\`, after one warm-up apply`);
  console.log(`  apply baselines (in this process, same files, page cache warm): list + prefilter = listBundleFiles() + prefilterFiles() with every site's needles;`);
  console.log(`    plain read = readFileSync of every listed file, one after another, no substring test (listing done beforehand)`);
  console.log(`  other commands: child processes on a patched copy, each run interleaved with one \`node -e 0\``);
  console.log(`  ${describeRssMethod(method)}; CPU = user + system of that run`);
  console.log(`  load average at start: ${loadAverage()} (other work on the machine inflates wall times)`);
  console.log(`  startup per Node (${STARTUP_NODES.join(", ")}): --help and a no-change apply --if-needed on a patched ${APPLY_TARGET_RELEASE}, each run beside one \`node -e 0\` of the same Node`);
  const rows: Row[] = [];
  const notes: string[] = [];
  let startup: StartupRow[] = [];
  try {
    for (const version of RELEASES) {
      console.log(`  measuring ${version} …`);
      const result = await benchRelease(version, method);
      rows.push(...result.rows);
      notes.push(...result.notes);
    }
    console.log(`  measuring startup under each Node …`);
    startup = await benchStartup();
  } finally {
    removeScratchesNow();
  }
  console.log("");
  if (rows.length > 0) {
    printTable(rows);
    console.log("");
  }
  printStartup(startup);
  console.log("");
  for (const note of notes) console.log(`  ${note}`);
  console.log(`  load average at end: ${loadAverage()}`);
}

const loadAverage = () => os.loadavg().map((n) => n.toFixed(2)).join(" ");

await main();
