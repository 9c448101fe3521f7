// npm run bench:gateway — the real gateway, unpatched beside patched (tracing off, tracing at
// lifecycle level, and lifecycle with a health summary every second), in one run:
// - connection churn throughput and gateway CPU per connection, every round in fresh processes
//   (see gateway-churn.ts for why), several processes per variant, each round's figure that of the
//   variant's median process, ratios the geometric mean over rounds, beside a second group of
//   unpatched processes whose ratio to the first shows how far identical gateways differ;
// - tracing's cost also inside the same processes, switched on and off between segments, since
//   it is about as large as the difference between two identical processes;
// - instructions per connection under callgrind, which no other load on the machine can move;
// - memory and descriptors after churn, and how long each misbehaving peer was held.
import { rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { freshGatewayCopy, nodeVersionForGateway } from "../support/gateway-install.js";
import { ensureNode } from "../support/node-binary.js";
import { runCli } from "../support/cli.js";
import { makeScratch } from "../support/packages.js";
import { FAST_PATCH_ENV, runZombieScenarios, type ZombieScenarioResult } from "../gateway/scenarios.js";
import { median } from "./child-timing.js";
import { callgrindAvailable, countInstructions } from "./gateway-callgrind.js";
import { runChurnRounds, slugOf, type ChurnResult, type ChurnRound, type ChurnVariant, type ProcessChurn } from "./gateway-churn.js";
import { countRuntimeCost, type RuntimeCost } from "./runtime-cost.js";
import { DEFAULT_SUMMARY_MS } from "../../src/runtime/tracing/settings.js";

const RELEASE = process.env.OCP_BENCH_GATEWAY_RELEASE ?? "2026.3.24";
const ROUNDS = bounded(process.env.OCP_BENCH_ROUNDS, 5, 1, 31);
/** Per variant and round: a median of three survives one slow process (see gateway-churn.ts). */
const PROCESSES = bounded(process.env.OCP_BENCH_PROCESSES, 3, 1, 9);
const PER_ROUND = bounded(process.env.OCP_BENCH_CHURN, 4_800, 100, 50_000);
/** Past the gateway's presence cap and most of V8's tier-up: see gateway-churn.ts. */
const WARMUP = 3_000;
const SEGMENT = 50;
const CONCURRENCY = 4;
const CALLGRIND_WARMUP = 1_000;
/**
 * One connection at a time under callgrind: with four, how many peers each connect and disconnect
 * is broadcast to depends on timing, and valgrind's slowdown shifts that timing. One at a time,
 * two processes of one install counted 0.05–2.4 % apart (four at a time: up to 4 %).
 */
const CALLGRIND_CONCURRENCY = 1;
const CALLGRIND_PROCESSES = bounded(process.env.OCP_BENCH_CALLGRIND_PROCESSES, 2, 1, 9);
const CALLGRIND_COUNTED = bounded(process.env.OCP_BENCH_CALLGRIND_CONNECTIONS, 800, 50, 5000);
const RUNTIME_COST_WARMUP = 500;
const RUNTIME_COST_COUNTED = 2_000;
const ZOMBIE_WINDOW_MS = 12_000;
const TARGET_RATIO = 0.97;

const UNPATCHED = "unpatched";
/** The same install in a second group of processes: its ratio to the first is the noise floor of the run. */
const UNPATCHED_AGAIN = "unpatched, second group";
const TRACE_OFF = "patched, trace off";
const TRACE_LIFECYCLE = "patched, trace lifecycle";
/**
 * Lifecycle tracing with a summary (and its health sample) every second, 60 times the default:
 * the summary runs on a timer, not per connection, so at the default it cannot show in a churn
 * figure; at one a second it would, if it cost anything worth naming.
 */
const TRACE_SUMMARY_EVERY_SECOND = "patched, summary every 1 s";
const SUMMARY_EVERY_SECOND_MS = "1000";
const DEFAULT_SUMMARY_SECONDS = DEFAULT_SUMMARY_MS / 1000;
/**
 * Lifecycle tracing switched off and on inside each process (trace-switch.ts), and the same switch
 * with tracing off in both phases; not in the main table. Each of their processes runs twice the
 * connections of the others, one segment per phase a turn.
 */
const TRACE_SWITCHED = "patched, trace switched";
const PLACEBO_SWITCHED = "patched, trace off, placebo switch";

function bounded(raw: string | undefined, fallback: number, min: number, max: number): number {
  const n = Number(raw ?? fallback);
  return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

function geometricMean(values: readonly number[]): number {
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}

/** A variant's churn rate in one round: its median process's, so one slow process does not decide the round. */
const rateOf = (name: string) => (round: ChurnRound): number => median(round.processes[name]!.map((p) => p.rate));

/** The baseline of a round: the geometric mean of its two unpatched groups. */
function unpatchedRate(round: ChurnRound): number {
  return Math.sqrt(rateOf(UNPATCHED)(round) * rateOf(UNPATCHED_AGAIN)(round));
}

function roundRatios(result: ChurnResult, numerator: (round: ChurnRound) => number, denominator: (round: ChurnRound) => number): number[] {
  return result.rounds.map((round) => numerator(round) / denominator(round));
}

function processesOf(result: ChurnResult, name: string): ProcessChurn[] {
  return result.rounds.flatMap((round) => round.processes[name]!);
}

/** "lowest–highest" of a set of ratios. */
function rangeOf(ratios: readonly number[], digits: number): string {
  return `${Math.min(...ratios).toFixed(digits)}–${Math.max(...ratios).toFixed(digits)}`;
}

/** Each process's rate against its own round's baseline: how far single processes stray. */
function processRange(result: ChurnResult, name: string): string {
  return rangeOf(result.rounds.flatMap((round) => round.processes[name]!.map((p) => p.rate / unpatchedRate(round))), 2);
}

function verdict(ratio: number): string {
  return `(target >= ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? "met" : "missed"})`;
}

function heldTimes(result: ZombieScenarioResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of result.clients) {
    if (c.kind === "healthy") continue;
    out[c.kind] = c.releasedAfterMs !== undefined ? `${(c.releasedAfterMs / 1000).toFixed(1)} s` : c.heldAtEnd ? `> ${ZOMBIE_WINDOW_MS / 1000} s (held)` : "gone";
  }
  return out;
}

function ratioList(ratios: readonly number[]): string {
  return ratios.map((r) => r.toFixed(3)).join(" ");
}

function churnLines(variants: readonly ChurnVariant[], churned: ChurnResult): string[] {
  const lines = [
    `churn: ${ROUNDS} rounds, each in fresh gateway processes, ${PROCESSES} per variant: ${churned.warmedUp} connections per process to warm up, then ${churned.measured} measured (connect, authenticate, close; ${CONCURRENCY} at a time), processes taking turns every ${SEGMENT}`,
    "a variant's figure in a round is its median process's; the baseline of a round is the geometric mean of its two unpatched groups, and their ratio to each other is the run's noise floor; ratios are geometric means over rounds",
    "",
    "variant                  conn/s (median)  ratio vs unpatched  single processes  CPU/conn (median)  RSS after churn (median, max)  fds after (max)",
  ];
  for (const v of variants.filter((v) => v.tracingSwitch === undefined)) {
    const processes = processesOf(churned, v.name);
    const rate = median(churned.rounds.map(rateOf(v.name)));
    const cpu = median(processes.map((p) => p.cpuMs));
    const ratio = geometricMean(roundRatios(churned, rateOf(v.name), unpatchedRate));
    const rss = processes.map((p) => p.rssKb / 1024);
    const memory = `${Math.round(median(rss))}, ${Math.round(Math.max(...rss))} MiB`;
    lines.push(
      `${v.name.padEnd(25)}${rate.toFixed(1).padStart(15)}  ${ratio.toFixed(3).padStart(18)}  ${processRange(churned, v.name).padStart(16)}  ${`${cpu.toFixed(2)} ms`.padStart(17)}  ${memory.padStart(29)}  ${String(Math.max(...processes.map((p) => p.fds))).padStart(15)}`,
    );
  }
  const noise = roundRatios(churned, rateOf(UNPATCHED_AGAIN), rateOf(UNPATCHED));
  const patched = roundRatios(churned, rateOf(TRACE_OFF), unpatchedRate);
  const tracing = roundRatios(churned, rateOf(TRACE_LIFECYCLE), rateOf(TRACE_OFF));
  const summaryEverySecond = roundRatios(churned, rateOf(TRACE_SUMMARY_EVERY_SECOND), rateOf(TRACE_LIFECYCLE));
  lines.push("", `patched / unpatched churn: ${geometricMean(patched).toFixed(3)} ${verdict(geometricMean(patched))}`);
  const switched = churned.rounds.map(switchedRatio(TRACE_SWITCHED));
  const placebo = churned.rounds.map(switchedRatio(PLACEBO_SWITCHED));
  lines.push(`tracing lifecycle / off churn, in the same processes: ${geometricMean(switched).toFixed(3)} ${verdict(geometricMean(switched))}`);
  lines.push(`the same with tracing off in both phases (placebo): ${geometricMean(placebo).toFixed(3)}`);
  lines.push(`tracing lifecycle / off churn, across processes: ${geometricMean(tracing).toFixed(3)} ${verdict(geometricMean(tracing))}`);
  lines.push(`summary every 1 s / at the default (${DEFAULT_SUMMARY_SECONDS} s), both tracing lifecycle, across processes: ${geometricMean(summaryEverySecond).toFixed(3)}`);
  lines.push(`noise floor, unpatched / unpatched: ${geometricMean(noise).toFixed(3)}`);
  lines.push(`per-round ratios patched / unpatched:   ${ratioList(patched)}`);
  lines.push(`per-round ratios lifecycle / off, same processes:   ${ratioList(switched)}`);
  lines.push(`per-round ratios placebo switch:                    ${ratioList(placebo)}`);
  lines.push(`per-round ratios lifecycle / off, across processes: ${ratioList(tracing)}`);
  lines.push(`per-round ratios summary 1 s / default:             ${ratioList(summaryEverySecond)}`);
  lines.push(`per-round ratios unpatched / unpatched: ${ratioList(noise)}`);
  return [...lines, ...switchedLines(churned)];
}

function phaseRatio(p: ProcessChurn): number {
  return p.phases!.lifecycle.rate / p.phases!.off.rate;
}

/** A switching process's own lifecycle / off ratio; a round's is its median process's. */
const switchedRatio = (name: string) => (round: ChurnRound): number => median(round.processes[name]!.map(phaseRatio));

function switchedLines(churned: ChurnResult): string[] {
  const lines = [
    "",
    `the same processes: ${PROCESSES} per round and group, patched; before each segment the bench switches the runtime's trace sinks off or on (SIGUSR2 to trace-switch.ts);`,
    `each turn runs one segment of each phase, in an order drawn per turn; ${churned.measured} connections per phase and process; a process's ratio is over its own segments;`,
    "after each segment the gateway writes out its trace lines, and that flush's main-thread CPU is billed to the segment, as time and as CPU",
  ];
  for (const name of [TRACE_SWITCHED, PLACEBO_SWITCHED]) {
    const processes = processesOf(churned, name);
    const cpu = (phase: "lifecycle" | "off"): string => {
      const figures = processes.map((p) => p.phases![phase]);
      const all = median(figures.map((f) => f.cpuMs));
      const main = median(figures.map((f) => f.mainThreadCpuMs));
      const other = median(figures.map((f) => f.cpuMs - f.mainThreadCpuMs));
      const flush = median(figures.map((f) => f.flushCpuMs));
      return `${all.toFixed(3)} ms (main thread ${main.toFixed(3)}, of it the flush ${flush.toFixed(3)}; other threads ${other.toFixed(3)})`;
    };
    lines.push(`${name}: single processes ${rangeOf(processes.map(phaseRatio), 3)}; CPU/conn (median) in the lifecycle phase ${cpu("lifecycle")}, in the off phase ${cpu("off")}`);
  }
  return lines;
}

/**
 * The fewest instructions any process of a variant needed. Wherever two processes of one install
 * differed, the costlier one had done extra work (objects moved to new hidden classes), so the
 * minimum is the closest to the variant's own cost; the per-process counts show the spread.
 */
function leastOf(counts: Record<string, number[]>, name: string): number {
  return Math.min(...counts[name]!);
}

function instructionLines(counts: Record<string, number[]> | undefined): string[] {
  if (counts === undefined) return ["", "instructions per connection: skipped (valgrind not found, or OCP_BENCH_CALLGRIND=0)"];
  const lines = [
    "",
    `instructions per connection (callgrind, ${CALLGRIND_PROCESSES} processes per variant, each ${CALLGRIND_COUNTED} connections counted after ${CALLGRIND_WARMUP} uncounted, one at a time;`,
    "user-space instructions only, so kernel work such as the keepalive setsockopt calls is not in it; ratios use each variant's fewest):",
  ];
  const unpatched = leastOf(counts, UNPATCHED);
  for (const [name, perProcess] of Object.entries(counts)) {
    const all = perProcess.map((n) => Math.round(n).toLocaleString("en-US")).join(", ");
    lines.push(`${name.padEnd(28)}${Math.round(leastOf(counts, name)).toLocaleString("en-US").padStart(14)}  x${(leastOf(counts, name) / unpatched).toFixed(4)} unpatched  (per process: ${all})`);
  }
  const patched = unpatched / leastOf(counts, TRACE_OFF);
  const tracing = leastOf(counts, TRACE_OFF) / leastOf(counts, TRACE_LIFECYCLE);
  lines.push(`throughput bound from instructions: patched / unpatched ${patched.toFixed(3)} ${verdict(patched)}, lifecycle / off ${tracing.toFixed(3)} ${verdict(tracing)}`);
  return lines;
}

function runtimeCostLines(cost: RuntimeCost | undefined, gateway: number | undefined): string[] {
  if (cost === undefined || gateway === undefined) return [];
  const off = cost.traceOff - cost.bareWs;
  const lifecycle = cost.traceLifecycle - cost.traceOff;
  const share = (n: number): string => `${((n / gateway) * 100).toFixed(2)} % of an unpatched gateway connection`;
  const patched = gateway / (gateway + off);
  const tracing = (gateway + off) / (gateway + off + lifecycle);
  return [
    "",
    `the runtime alone (callgrind on a bare ws server hosting it like a patched chunk, ${RUNTIME_COST_COUNTED} connections; repeats to about 0.1 %):`,
    `bare ws server              ${Math.round(cost.bareWs).toLocaleString("en-US").padStart(14)}`,
    `runtime, trace off          ${`+${Math.round(off).toLocaleString("en-US")}`.padStart(14)}  ${share(off)}`,
    `lifecycle tracing on top    ${`+${Math.round(lifecycle).toLocaleString("en-US")}`.padStart(14)}  ${share(lifecycle)}`,
    `throughput bound from these: patched / unpatched ${patched.toFixed(3)} ${verdict(patched)}, lifecycle / off ${tracing.toFixed(3)} ${verdict(tracing)}`,
  ];
}

function zombieLines(zombies: Record<string, ZombieScenarioResult>): string[] {
  const lines = ["", `time each misbehaving peer was held (heartbeat 2 s, pong timeout 2 s, grace 1 s, headers 2 s; window ${ZOMBIE_WINDOW_MS / 1000} s):`];
  const unpatched = heldTimes(zombies[UNPATCHED]!);
  const patched = heldTimes(zombies[TRACE_OFF]!);
  lines.push(`${"peer".padEnd(22)}${"unpatched".padStart(18)}${"patched".padStart(18)}`);
  for (const kind of Object.keys(unpatched)) lines.push(`${kind.padEnd(22)}${(unpatched[kind] ?? "").padStart(18)}${(patched[kind] ?? "").padStart(18)}`);
  return lines;
}

async function main(): Promise<void> {
  const scratch = await makeScratch("bench-gateway");
  const nodeBin = await ensureNode(nodeVersionForGateway(RELEASE));
  try {
    const stockRoot = await freshGatewayCopy(RELEASE, join(scratch, "stock"));
    const patchedRoot = await freshGatewayCopy(RELEASE, join(scratch, "patched"));
    const applied = await runCli(["apply", "--dir", patchedRoot, "--state-dir", join(scratch, "state"), "--json"]);
    if (applied.code !== 0) throw new Error(`apply failed: ${applied.stdout}${applied.stderr}`);

    const variants: ChurnVariant[] = [
      { name: UNPATCHED, root: stockRoot, env: {} },
      { name: UNPATCHED_AGAIN, root: stockRoot, env: {} },
      { name: TRACE_OFF, root: patchedRoot, env: { OPENCLAW_PATCH_TRACE: "off" } },
      { name: TRACE_LIFECYCLE, root: patchedRoot, env: { OPENCLAW_PATCH_TRACE: "lifecycle", OPENCLAW_PATCH_TRACE_FILE: join(scratch, "trace.jsonl") } },
      {
        name: TRACE_SUMMARY_EVERY_SECOND,
        root: patchedRoot,
        env: { OPENCLAW_PATCH_TRACE: "lifecycle", OPENCLAW_PATCH_TRACE_FILE: join(scratch, "trace-summary-1s.jsonl"), OPENCLAW_PATCH_SUMMARY_MS: SUMMARY_EVERY_SECOND_MS },
      },
      {
        name: TRACE_SWITCHED,
        root: patchedRoot,
        env: { OPENCLAW_PATCH_TRACE: "lifecycle", OPENCLAW_PATCH_TRACE_FILE: join(scratch, "trace-switched.jsonl") },
        tracingSwitch: "traced",
      },
      { name: PLACEBO_SWITCHED, root: patchedRoot, env: { OPENCLAW_PATCH_TRACE: "off" }, tracingSwitch: "placebo" },
    ];
    const loadAtStart = os.loadavg();
    const churned = await runChurnRounds({ variants, processes: PROCESSES, nodeBin, scratch, rounds: ROUNDS, perRound: PER_ROUND, concurrency: CONCURRENCY, warmup: WARMUP, segment: SEGMENT });
    const counts =
      process.env.OCP_BENCH_CALLGRIND !== "0" && callgrindAvailable()
        ? await countInstructions({ variants: variants.filter((v) => v.name !== UNPATCHED_AGAIN && v.tracingSwitch === undefined), nodeBin, scratch, warmup: CALLGRIND_WARMUP, counted: CALLGRIND_COUNTED, concurrency: CALLGRIND_CONCURRENCY, processes: CALLGRIND_PROCESSES })
        : undefined;
    const cost =
      counts !== undefined
        ? await countRuntimeCost({ nodeBin, packageRoot: stockRoot, runtimeFile: join(patchedRoot, "openclaw-patch-runtime.mjs"), scratch, warmup: RUNTIME_COST_WARMUP, counted: RUNTIME_COST_COUNTED, concurrency: CONCURRENCY })
        : undefined;
    const zombies: Record<string, ZombieScenarioResult> = {};
    for (const v of variants.filter((v) => v.name === UNPATCHED || v.name === TRACE_OFF)) {
      zombies[v.name] = await runZombieScenarios({ packageRoot: v.root, nodeBin, scratchDir: join(scratch, `z-${slugOf(v.name)}`), env: { ...FAST_PATCH_ENV, OPENCLAW_PATCH_HEADERS_TIMEOUT_MS: "2000", ...v.env }, windowMs: ZOMBIE_WINDOW_MS });
    }

    const lines = [
      `openclaw ${RELEASE} under Node ${nodeVersionForGateway(RELEASE)}; load ${loadAtStart.map((l) => l.toFixed(1)).join(" ")} at start, ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} at end`,
      ...churnLines(variants, churned),
      ...instructionLines(counts),
      ...runtimeCostLines(cost, counts === undefined ? undefined : leastOf(counts, UNPATCHED)),
      ...zombieLines(zombies),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
