// Connection churn against the real gateway, each variant in fresh processes every round.
//
// One gateway process can run 20–30 % faster or slower than another of the same install for its
// whole life (seen here: two unpatched processes side by side differed that much, and so did two
// patched ones, in both directions). Code and heap placement differ per process; so a ratio taken
// from one process per variant measures that luck, not the patch. Every round therefore starts
// new processes, waits until each is quiet (see process-quiet.ts), and the ratio reported is the
// median of the per-round ratios.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startGateway, type RunningGateway } from "../support/gateway-process.js";
import { healthy } from "../support/ws-clients.js";
import { cpuTimeMs, waitUntilQuiet } from "./process-quiet.js";

/** Quiet: at most 5 % of a core over a second, waited for at most 30 s per gateway. */
const QUIET = { maxShare: 0.05, windowMs: 1_000, timeoutMs: 30_000 };

export interface ChurnVariant {
  name: string;
  root: string;
  env: Record<string, string>;
}

export interface ChurnRound {
  /** Connections per second, per variant name. */
  rates: Record<string, number>;
  /** Gateway CPU (user + system) per connection in milliseconds, per variant name. */
  cpuMs: Record<string, number>;
}

export interface ChurnResult {
  rounds: ChurnRound[];
  /** Resident memory (KiB) and open descriptors of each variant's last process after its churn. */
  rssAfterKb: Record<string, number>;
  fdsAfter: Record<string, number>;
}

export interface ChurnOptions {
  variants: readonly ChurnVariant[];
  nodeBin: string;
  scratch: string;
  rounds: number;
  perRound: number;
  concurrency: number;
  warmup: number;
}

function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) : Number.NaN;
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN;
  }
}

/** Runs `connection` `count` times, `concurrency` at once; returns connections per second. */
export async function runConnections(count: number, concurrency: number, connection: () => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await connection();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (count / (performance.now() - started)) * 1000;
}

/** Connect, authenticate, disconnect — `count` times, `concurrency` at once; returns connections/s. */
export function churn(gateway: RunningGateway, count: number, concurrency: number): Promise<number> {
  const target = { port: gateway.port, token: gateway.token };
  return runConnections(count, concurrency, async () => (await healthy(target)).destroy());
}

export async function runChurnRounds(options: ChurnOptions): Promise<ChurnResult> {
  const result: ChurnResult = { rounds: [], rssAfterKb: {}, fdsAfter: {} };
  for (let round = 0; round < options.rounds; round++) {
    const running: { variant: ChurnVariant; gateway: RunningGateway }[] = [];
    try {
      for (const variant of options.variants) {
        const scratchDir = join(options.scratch, `churn-${round}-${variant.name.replace(/\W+/g, "-")}`);
        running.push({ variant, gateway: await startGateway({ packageRoot: variant.root, nodeBin: options.nodeBin, scratchDir, env: variant.env }) });
      }
      for (const { gateway } of running) {
        await churn(gateway, options.warmup, options.concurrency);
        await waitUntilQuiet(gateway.pid, QUIET);
      }
      const measured: ChurnRound = { rates: {}, cpuMs: {} };
      // Alternating order, so a load that drifts during a round hits every variant alike.
      const order = round % 2 === 0 ? running : [...running].reverse();
      for (const { variant, gateway } of order) {
        const cpuBefore = cpuTimeMs(gateway.pid);
        measured.rates[variant.name] = await churn(gateway, options.perRound, options.concurrency);
        measured.cpuMs[variant.name] = (cpuTimeMs(gateway.pid) - cpuBefore) / options.perRound;
        result.rssAfterKb[variant.name] = rssKb(gateway.pid);
        result.fdsAfter[variant.name] = fdCount(gateway.pid);
      }
      result.rounds.push(measured);
    } finally {
      for (const { gateway } of running) await gateway.stop("SIGTERM", { timeoutMs: 40_000 });
    }
  }
  return result;
}
