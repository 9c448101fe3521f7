// npm run bench:gateway — the real gateway, unpatched beside patched (tracing off, and tracing at
// lifecycle level), in one run:
// - connection churn throughput and gateway CPU per connection, every round in fresh processes
//   (see gateway-churn.ts for why), ratios as the median of per-round ratios;
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
import { callgrindAvailable, countInstructions } from "./gateway-callgrind.js";
import { runChurnRounds, type ChurnResult, type ChurnVariant } from "./gateway-churn.js";
import { countRuntimeCost, type RuntimeCost } from "./runtime-cost.js";

const RELEASE = process.env.OCP_BENCH_GATEWAY_RELEASE ?? "2026.3.24";
const ROUNDS = bounded(process.env.OCP_BENCH_ROUNDS, 7, 1, 31);
const PER_ROUND = bounded(process.env.OCP_BENCH_CHURN, 300, 10, 2000);
const WARMUP = 60;
const CONCURRENCY = 4;
const CALLGRIND_WARMUP = 150;
const CALLGRIND_COUNTED = bounded(process.env.OCP_BENCH_CALLGRIND_CONNECTIONS, 800, 50, 5000);
const RUNTIME_COST_WARMUP = 500;
const RUNTIME_COST_COUNTED = 2_000;
const ZOMBIE_WINDOW_MS = 12_000;
const TARGET_RATIO = 0.97;

const UNPATCHED = "unpatched";
const TRACE_OFF = "patched, trace off";
const TRACE_LIFECYCLE = "patched, trace lifecycle";

function bounded(raw: string | undefined, fallback: number, min: number, max: number): number {
  const n = Number(raw ?? fallback);
  return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function medianRatio(result: ChurnResult, numerator: string, denominator: string, of: "rates" | "cpuMs"): number {
  return median(result.rounds.map((round) => round[of][numerator]! / round[of][denominator]!));
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

function churnLines(variants: readonly ChurnVariant[], churned: ChurnResult): string[] {
  const lines = [
    `churn: ${ROUNDS} rounds x ${PER_ROUND} connect+auth+close, ${CONCURRENCY} at a time; every round starts fresh gateway processes, order alternating`,
    "",
    "variant                     churn conn/s (median)  ratio vs unpatched  gateway CPU/conn (median)  RSS after churn  fds after",
  ];
  for (const v of variants) {
    const rate = median(churned.rounds.map((r) => r.rates[v.name]!));
    const cpu = median(churned.rounds.map((r) => r.cpuMs[v.name]!));
    const ratio = medianRatio(churned, v.name, UNPATCHED, "rates");
    lines.push(`${v.name.padEnd(28)}${rate.toFixed(1).padStart(20)}  ${ratio.toFixed(3).padStart(18)}  ${`${cpu.toFixed(2)} ms`.padStart(25)}  ${`${Math.round(churned.rssAfterKb[v.name]! / 1024)} MiB`.padStart(15)}  ${String(churned.fdsAfter[v.name]).padStart(9)}`);
  }
  const patched = medianRatio(churned, TRACE_OFF, UNPATCHED, "rates");
  const tracing = medianRatio(churned, TRACE_LIFECYCLE, TRACE_OFF, "rates");
  lines.push("", `patched / unpatched churn: ${patched.toFixed(3)} ${verdict(patched)}`);
  lines.push(`tracing lifecycle / off churn: ${tracing.toFixed(3)} ${verdict(tracing)}`);
  lines.push(`per-round ratios patched / unpatched: ${churned.rounds.map((r) => (r.rates[TRACE_OFF]! / r.rates[UNPATCHED]!).toFixed(2)).join(" ")}`);
  lines.push(`per-round ratios lifecycle / off:     ${churned.rounds.map((r) => (r.rates[TRACE_LIFECYCLE]! / r.rates[TRACE_OFF]!).toFixed(2)).join(" ")}`);
  return lines;
}

function instructionLines(counts: Record<string, number> | undefined): string[] {
  if (counts === undefined) return ["", "instructions per connection: skipped (valgrind not found, or OCP_BENCH_CALLGRIND=0)"];
  const lines = ["", `instructions per connection (callgrind, ${CALLGRIND_COUNTED} connections counted after ${CALLGRIND_WARMUP} uncounted; processes of one install differ by up to 8 %, so read this beside the churn ratios):`];
  for (const [name, count] of Object.entries(counts)) {
    lines.push(`${name.padEnd(28)}${Math.round(count).toLocaleString("en-US").padStart(14)}  x${(count / counts[UNPATCHED]!).toFixed(4)} unpatched`);
  }
  const patched = counts[UNPATCHED]! / counts[TRACE_OFF]!;
  const tracing = counts[TRACE_OFF]! / counts[TRACE_LIFECYCLE]!;
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
      { name: TRACE_OFF, root: patchedRoot, env: { OPENCLAW_PATCH_TRACE: "off" } },
      { name: TRACE_LIFECYCLE, root: patchedRoot, env: { OPENCLAW_PATCH_TRACE: "lifecycle", OPENCLAW_PATCH_TRACE_FILE: join(scratch, "trace.jsonl") } },
    ];
    const loadAtStart = os.loadavg();
    const churned = await runChurnRounds({ variants, nodeBin, scratch, rounds: ROUNDS, perRound: PER_ROUND, concurrency: CONCURRENCY, warmup: WARMUP });
    const counts =
      process.env.OCP_BENCH_CALLGRIND !== "0" && callgrindAvailable()
        ? await countInstructions({ variants, nodeBin, scratch, warmup: CALLGRIND_WARMUP, counted: CALLGRIND_COUNTED, concurrency: CONCURRENCY })
        : undefined;
    const cost =
      counts !== undefined
        ? await countRuntimeCost({ nodeBin, packageRoot: stockRoot, runtimeFile: join(patchedRoot, "openclaw-patch-runtime.mjs"), scratch, warmup: RUNTIME_COST_WARMUP, counted: RUNTIME_COST_COUNTED, concurrency: CONCURRENCY })
        : undefined;
    const zombies: Record<string, ZombieScenarioResult> = {};
    for (const v of variants.slice(0, 2)) {
      zombies[v.name] = await runZombieScenarios({ packageRoot: v.root, nodeBin, scratchDir: join(scratch, `z-${v.name.replace(/\W+/g, "-")}`), env: { ...FAST_PATCH_ENV, OPENCLAW_PATCH_HEADERS_TIMEOUT_MS: "2000", ...v.env }, windowMs: ZOMBIE_WINDOW_MS });
    }

    const lines = [
      `openclaw ${RELEASE} under Node ${nodeVersionForGateway(RELEASE)}; load ${loadAtStart.map((l) => l.toFixed(1)).join(" ")} at start, ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} at end`,
      ...churnLines(variants, churned),
      ...instructionLines(counts),
      ...runtimeCostLines(cost, counts?.[UNPATCHED]),
      ...zombieLines(zombies),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
