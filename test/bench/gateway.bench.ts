// npm run bench:gateway — the real gateway, unpatched beside patched (and patched with tracing on and
// off), in one run: connection churn throughput, memory after churn, and how long each misbehaving
// peer was held. Churn rounds alternate between the gateways so load drift hits all of them alike.
import { readFileSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { freshGatewayCopy, nodeVersionForGateway } from "../support/gateway-install.js";
import { startGateway, type RunningGateway } from "../support/gateway-process.js";
import { ensureNode } from "../support/node-binary.js";
import { healthy } from "../support/ws-clients.js";
import { runCli } from "../support/cli.js";
import { makeScratch } from "../support/packages.js";
import { FAST_PATCH_ENV, runZombieScenarios, type ZombieScenarioResult } from "../gateway/scenarios.js";

const RELEASE = process.env.OCP_BENCH_GATEWAY_RELEASE ?? "2026.3.24";
const ROUNDS = bounded(process.env.OCP_BENCH_ROUNDS, 11, 1, 31);
const PER_ROUND = bounded(process.env.OCP_BENCH_CHURN, 150, 10, 1000);
const CONCURRENCY = 4;
const ZOMBIE_WINDOW_MS = 12_000;

function bounded(raw: string | undefined, fallback: number, min: number, max: number): number {
  const n = Number(raw ?? fallback);
  return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

interface Variant {
  name: string;
  root: string;
  env: Record<string, string>;
  gateway?: RunningGateway;
  rates: number[];
  /** Gateway CPU (user + system) spent per connection during the measured rounds. */
  cpuMs: number[];
  rssAfterKb?: number;
  fdsAfter?: number;
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

/** utime + stime of a process in milliseconds, from /proc/PID/stat (clock ticks of 10 ms). */
function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

/** Connect, authenticate, disconnect — `count` times, `CONCURRENCY` at once; returns connections/s. */
async function churn(gateway: RunningGateway, count: number): Promise<number> {
  const target = { port: gateway.port, token: gateway.token };
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      next++;
      const client = await healthy(target);
      client.destroy();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return (count / (performance.now() - started)) * 1000;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function heldTimes(result: ZombieScenarioResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of result.clients) {
    if (c.kind === "healthy") continue;
    out[c.kind] = c.releasedAfterMs !== undefined ? `${(c.releasedAfterMs / 1000).toFixed(1)} s` : c.heldAtEnd ? `> ${ZOMBIE_WINDOW_MS / 1000} s (held)` : "gone";
  }
  return out;
}

async function main(): Promise<void> {
  const scratch = await makeScratch("bench-gateway");
  const nodeBin = await ensureNode(nodeVersionForGateway(RELEASE));
  try {
    const stockRoot = await freshGatewayCopy(RELEASE, join(scratch, "stock"));
    const patchedRoot = await freshGatewayCopy(RELEASE, join(scratch, "patched"));
    const applied = await runCli(["apply", "--dir", patchedRoot, "--state-dir", join(scratch, "state"), "--json"]);
    if (applied.code !== 0) throw new Error(`apply failed: ${applied.stdout}${applied.stderr}`);

    const variants: Variant[] = [
      { name: "unpatched", root: stockRoot, env: {}, rates: [], cpuMs: [] },
      { name: "patched, trace off", root: patchedRoot, env: { OPENCLAW_PATCH_TRACE: "off" }, rates: [], cpuMs: [] },
      { name: "patched, trace lifecycle", root: patchedRoot, env: { OPENCLAW_PATCH_TRACE: "lifecycle", OPENCLAW_PATCH_TRACE_FILE: join(scratch, "trace.jsonl") }, rates: [], cpuMs: [] },
    ];
    for (const v of variants) v.gateway = await startGateway({ packageRoot: v.root, nodeBin, scratchDir: join(scratch, `gw-${v.name.replace(/\W+/g, "-")}`), env: v.env });
    for (const v of variants) await churn(v.gateway!, 20);
    for (let round = 0; round < ROUNDS; round++) {
      for (const v of variants) {
        const cpuBefore = cpuTimeMs(v.gateway!.pid);
        v.rates.push(await churn(v.gateway!, PER_ROUND));
        v.cpuMs.push((cpuTimeMs(v.gateway!.pid) - cpuBefore) / PER_ROUND);
      }
    }
    for (const v of variants) {
      v.rssAfterKb = rssKb(v.gateway!.pid);
      v.fdsAfter = fdCount(v.gateway!.pid);
      await v.gateway!.stop("SIGTERM", { timeoutMs: 40_000 });
    }

    const zombies: Record<string, ZombieScenarioResult> = {};
    for (const v of variants.slice(0, 2)) {
      zombies[v.name] = await runZombieScenarios({ packageRoot: v.root, nodeBin, scratchDir: join(scratch, `z-${v.name.replace(/\W+/g, "-")}`), env: { ...FAST_PATCH_ENV, OPENCLAW_PATCH_HEADERS_TIMEOUT_MS: "2000", ...v.env }, windowMs: ZOMBIE_WINDOW_MS });
    }

    const base = median(variants[0]!.rates);
    const lines = [
      `openclaw ${RELEASE} under Node ${nodeVersionForGateway(RELEASE)}; churn: ${ROUNDS} rounds x ${PER_ROUND} connect+auth+close, ${CONCURRENCY} at a time, rounds alternating between gateways; load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`,
      "",
      "variant                     churn conn/s (median)  ratio vs unpatched  gateway CPU/conn (median)  RSS after churn  fds after",
    ];
    for (const v of variants) {
      const rate = median(v.rates);
      lines.push(`${v.name.padEnd(28)}${rate.toFixed(1).padStart(20)}  ${(rate / base).toFixed(3).padStart(18)}  ${`${median(v.cpuMs).toFixed(2)} ms`.padStart(25)}  ${`${Math.round((v.rssAfterKb ?? NaN) / 1024)} MiB`.padStart(15)}  ${String(v.fdsAfter).padStart(9)}`);
    }
    const patchedRatio = median(variants[1]!.rates) / base;
    const traceRatio = median(variants[2]!.rates) / median(variants[1]!.rates);
    lines.push("", `patched / unpatched churn: ${patchedRatio.toFixed(3)} (target >= 0.97: ${patchedRatio >= 0.97 ? "met" : "missed"})`);
    lines.push(`tracing lifecycle / off churn: ${traceRatio.toFixed(3)} (target >= 0.97: ${traceRatio >= 0.97 ? "met" : "missed"})`);
    lines.push(`per-round churn conn/s: ${variants.map((v) => `${v.name}: ${v.rates.map((r) => r.toFixed(0)).join(" ")}`).join("; ")}`);
    lines.push("", `time each misbehaving peer was held (heartbeat 2 s, pong timeout 2 s, grace 1 s, headers 2 s; window ${ZOMBIE_WINDOW_MS / 1000} s):`);
    const kinds = Object.keys(heldTimes(zombies.unpatched!));
    lines.push(`${"peer".padEnd(22)}${"unpatched".padStart(18)}${"patched".padStart(18)}`);
    const u = heldTimes(zombies.unpatched!);
    const p = heldTimes(zombies["patched, trace off"]!);
    for (const k of kinds) lines.push(`${k.padEnd(22)}${(u[k] ?? "").padStart(18)}${(p[k] ?? "").padStart(18)}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
