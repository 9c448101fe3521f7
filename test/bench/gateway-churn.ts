// Connection churn against the real gateway, each variant in fresh processes every round.
//
// What made earlier figures wander (per-round ratios 0.64–1.33, and two processes of one install
// 10 % apart), and what each step below removes:
// - Start-up: a fresh gateway keeps working for a while after it listens; each process is waited
//   on until quiet (process-quiet.ts).
// - Warm-up: every connection makes the gateway serialise its presence list into the hello and
//   into broadcasts, and that list grows with each new client up to 200 entries (the hello grows
//   from 4 KB to 36 KB); V8 keeps tiering the per-connection code up for thousands of connections
//   (throughput still rose 60 % between the 1st and the 5th thousand).
// - Idle history: a process warmed first and then left idle while the others warmed came back
//   slower (V8 shrinks an idle heap, and code ages). Warm-up is interleaved like the measurement.
// - Drift and position: the machine's speed changes from one second to the next (other tenants,
//   the other core), and whichever process ran first in a segment came out fastest. Processes take
//   turns in short segments, in an order where each holds every position equally often.
// - Small samples: 400 connections per variant left ±7 % between two processes of one install;
//   thousands per process and round bring that to a few percent. Fresh processes every round.
// - Slow processes: about one gateway process in five, unpatched or patched alike, runs 10–20 %
//   slower than its siblings for long stretches (more CPU and about three times the page faults
//   per connection, often a heap 100 MiB larger). With one process per variant, whichever variant
//   drew such a process lost the round. Each variant now runs several processes per round and is
//   represented by its median process; start order rotates every round.
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

/** A variant's name as a folder name. */
export function slugOf(name: string): string {
  return name.replace(/\W+/g, "-");
}

/** One gateway process's figures over the measured connections of a round. */
export interface ProcessChurn {
  /** Connections per second. */
  rate: number;
  /** Gateway CPU (user + system) per connection in milliseconds. */
  cpuMs: number;
  /** Resident memory (KiB) and open descriptors after its churn. */
  rssKb: number;
  fds: number;
}

export interface ChurnRound {
  /** Per variant name, its processes in start order. */
  processes: Record<string, ProcessChurn[]>;
}

export interface ChurnResult {
  rounds: ChurnRound[];
  /** Connections per process and round actually run: the requested counts rounded up to whole turn cycles. */
  warmedUp: number;
  measured: number;
}

export interface ChurnOptions {
  variants: readonly ChurnVariant[];
  /** Gateway processes per variant and round. */
  processes: number;
  nodeBin: string;
  scratch: string;
  rounds: number;
  perRound: number;
  concurrency: number;
  warmup: number;
  /** Connections per turn: processes take turns in segments of this many connections. */
  segment: number;
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

/**
 * The order of turn `index`: rotation `index / 2`, reversed on odd turns. Over 2n turns each of n
 * variants holds every position twice, so no variant always follows the same one.
 */
export function turnOrder<T>(items: readonly T[], index: number): T[] {
  const shift = Math.floor(index / 2) % items.length;
  const rotated = [...items.slice(shift), ...items.slice(0, shift)];
  return index % 2 === 0 ? rotated : rotated.reverse();
}

/** Turns needed for `connections` per process, rounded up to whole cycles of 2n turns. */
function turnCount(connections: number, segment: number, processes: number): number {
  const cycle = 2 * processes;
  return Math.max(cycle, Math.ceil(connections / segment / cycle) * cycle);
}

interface RunningProcess {
  variant: ChurnVariant;
  gateway: RunningGateway;
}

/** Every variant's processes, interleaved (first of each variant, then second, ...), rotated by `shift`. */
function startOrder(options: ChurnOptions, shift: number): ChurnVariant[] {
  const order: ChurnVariant[] = [];
  for (let copy = 0; copy < options.processes; copy++) order.push(...options.variants);
  const k = shift % order.length;
  return [...order.slice(k), ...order.slice(0, k)];
}

async function warmUp(running: readonly RunningProcess[], options: ChurnOptions): Promise<void> {
  for (const { gateway } of running) await waitUntilQuiet(gateway.pid, QUIET);
  const turns = turnCount(options.warmup, options.segment, running.length);
  for (let turn = 0; turn < turns; turn++) {
    for (const { gateway } of turnOrder(running, turn)) await churn(gateway, options.segment, options.concurrency);
  }
}

async function measureRound(running: readonly RunningProcess[], options: ChurnOptions): Promise<ChurnRound> {
  const turns = turnCount(options.perRound, options.segment, running.length);
  const elapsedMs = new Map<RunningProcess, number>();
  const cpuMs = new Map<RunningProcess, number>();
  for (let turn = 0; turn < turns; turn++) {
    for (const member of turnOrder(running, turn)) {
      const cpuBefore = cpuTimeMs(member.gateway.pid);
      const started = performance.now();
      await churn(member.gateway, options.segment, options.concurrency);
      elapsedMs.set(member, (elapsedMs.get(member) ?? 0) + performance.now() - started);
      cpuMs.set(member, (cpuMs.get(member) ?? 0) + cpuTimeMs(member.gateway.pid) - cpuBefore);
    }
  }
  const connections = turns * options.segment;
  const round: ChurnRound = { processes: {} };
  for (const member of running) {
    const figures: ProcessChurn = {
      rate: (connections / elapsedMs.get(member)!) * 1000,
      cpuMs: cpuMs.get(member)! / connections,
      rssKb: rssKb(member.gateway.pid),
      fds: fdCount(member.gateway.pid),
    };
    (round.processes[member.variant.name] ??= []).push(figures);
  }
  return round;
}

export async function runChurnRounds(options: ChurnOptions): Promise<ChurnResult> {
  const n = options.variants.length * options.processes;
  const result: ChurnResult = {
    rounds: [],
    warmedUp: turnCount(options.warmup, options.segment, n) * options.segment,
    measured: turnCount(options.perRound, options.segment, n) * options.segment,
  };
  for (let round = 0; round < options.rounds; round++) {
    const running: RunningProcess[] = [];
    try {
      for (const variant of startOrder(options, round)) {
        const scratchDir = join(options.scratch, `churn-${round}-${running.length}-${slugOf(variant.name)}`);
        running.push({ variant, gateway: await startGateway({ packageRoot: variant.root, nodeBin: options.nodeBin, scratchDir, env: variant.env }) });
      }
      await warmUp(running, options);
      result.rounds.push(await measureRound(running, options));
    } finally {
      for (const { gateway } of running) await gateway.stop("SIGTERM", { timeoutMs: 40_000 });
    }
  }
  return result;
}
