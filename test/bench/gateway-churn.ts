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
//   represented by its median process; start order rotates every round. In one scratch run of six
//   identical processes, the two slow ones held an old generation of 262 and 296 MiB mid-churn,
//   the other four 127–175 MiB; all six had grown their new space alike, to 128 MiB.
// - Costs smaller than the lottery: tracing's share is about the size of the noise between
//   processes, so a variant can also switch tracing on and off inside each of its processes
//   (trace-switch.ts) and compare its own segments: the same heap and code on both sides.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { startGateway, type RunningGateway } from "../support/gateway-process.js";
import { healthy } from "../support/ws-clients.js";
import { cpuTimeMs, mainThreadCpuTimeMs, waitUntilQuiet } from "./process-quiet.js";
import { TRACE_SWITCH_ACK_ENV, TRACE_SWITCH_SIGNAL, traceSwitchRequestFile, type TraceSwitchCommand } from "./trace-switch.js";

/** Quiet: at most 5 % of a core over a second, waited for at most 30 s per gateway. */
const QUIET = { maxShare: 0.05, windowMs: 1_000, timeoutMs: 30_000 };

export interface ChurnVariant {
  name: string;
  root: string;
  env: Record<string, string>;
  /**
   * Switched inside each process between a phase labelled lifecycle and one labelled off: every
   * turn runs one segment of each, timed apart, which doubles the process's connections. `traced`:
   * the runtime traces at lifecycle and the switch really turns it off and on; `placebo`: tracing is
   * off throughout and only the signal and the labels change, which shows what the method itself
   * does to the ratio.
   */
  tracingSwitch?: "traced" | "placebo";
}

type TracingPhase = "lifecycle" | "off";

/** A variant's name as a folder name. */
export function slugOf(name: string): string {
  return name.replace(/\W+/g, "-");
}

/** Throughput and CPU over a set of timed segments. */
export interface SegmentFigures {
  /** Connections per second. */
  rate: number;
  /** Gateway CPU (user + system) per connection in milliseconds, all threads. */
  cpuMs: number;
  /** The part of it on the gateway's main thread. */
  mainThreadCpuMs: number;
  /** Of that, the trace flush billed after each segment (switched processes only, else 0). */
  flushCpuMs: number;
}

/** One gateway process's figures over the measured connections of a round. */
export interface ProcessChurn extends SegmentFigures {
  /** Resident memory (KiB) and open descriptors after its churn. */
  rssKb: number;
  fds: number;
  /** For a variant that switches tracing: the same figures over each phase's segments alone. */
  phases?: Record<TracingPhase, SegmentFigures>;
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
  /** Where the tracing switch acknowledges a request, and how many requests were sent. */
  switchAck: string;
  tracing: TracingPhase;
  requests: number;
  /** Draws the phase order of each turn. */
  draw: () => number;
}

/** `--import` of the switch, resolved beside this file (both are built into build/test/bench). */
const TRACE_SWITCH_MODULE = new URL("./trace-switch.js", import.meta.url).href;
/** The ack follows the signal within a few milliseconds (a flush of one segment's lines at most); bounded at 5 s. */
const SWITCH_POLL_MS = 2;
const SWITCH_POLLS = 2_500;

function gatewayEnv(variant: ChurnVariant, switchAck: string): Record<string, string> {
  if (variant.tracingSwitch === undefined) return variant.env;
  return { ...variant.env, NODE_OPTIONS: `--import=${TRACE_SWITCH_MODULE}`, [TRACE_SWITCH_ACK_ENV]: switchAck };
}

function readAck(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return "";
  }
}

/** Sends one request to the switch and waits, bounded, for its ack: the phase the gateway is in, and a flush's main-thread CPU. */
async function askSwitch(member: RunningProcess, command: TraceSwitchCommand): Promise<{ phase: string; flushCpuMs: number }> {
  member.requests += 1;
  const count = String(member.requests);
  writeFileSync(traceSwitchRequestFile(member.switchAck), `${count} ${command}\n`);
  process.kill(member.gateway.pid, TRACE_SWITCH_SIGNAL);
  for (let poll = 0; poll < SWITCH_POLLS; poll++) {
    const [acked, phase, flushMicros] = readAck(member.switchAck).split(" ");
    if (acked === count) return { phase: phase ?? "", flushCpuMs: Number(flushMicros) / 1000 };
    await sleep(SWITCH_POLL_MS);
  }
  throw new Error(`tracing switch in gateway ${member.gateway.pid}: no ack to request ${count} (${command}); the gateway wrote "${readAck(member.switchAck)}"`);
}

/** Switches the gateway's tracing to `phase` unless it is there already. */
async function setTracing(member: RunningProcess, phase: TracingPhase): Promise<void> {
  if (member.tracing === phase) return;
  const expected = member.variant.tracingSwitch === "placebo" ? "off" : phase;
  const acked = await askSwitch(member, "switch");
  if (acked.phase !== expected) {
    throw new Error(`tracing switch in gateway ${member.gateway.pid}: expected "${expected}", the gateway is "${acked.phase}" (is the runtime tracing at lifecycle?)`);
  }
  member.tracing = phase;
}

/**
 * A switching process's phases in one turn: both, in an order drawn afresh each turn. The first
 * segment of a turn follows other processes' segments, the second always follows a switch, and
 * either can be the faster; a fixed alternation by turn lined the phases up with the turn order's
 * reversal, and a placebo switch (tracing off in both phases) then came out 1.3 % slower in the
 * phase labelled lifecycle.
 */
function phasesOf(member: RunningProcess): (TracingPhase | undefined)[] {
  if (member.variant.tracingSwitch === undefined) return [undefined];
  return member.draw() < 0.5 ? ["lifecycle", "off"] : ["off", "lifecycle"];
}

/** mulberry32: a small seeded generator, so a run's phase orders can be repeated. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every variant's processes, interleaved (first of each variant, then second, ...), rotated by `shift`. */
function startOrder(options: ChurnOptions, shift: number): ChurnVariant[] {
  const order: ChurnVariant[] = [];
  for (let copy = 0; copy < options.processes; copy++) order.push(...options.variants);
  const k = shift % order.length;
  return [...order.slice(k), ...order.slice(0, k)];
}

/** Time and CPU summed over the timed segments of one process, or of one of its tracing phases. */
class SegmentTally {
  private readonly totals = new Map<string, { connections: number; ms: number; cpuMs: number; mainThreadCpuMs: number; flushCpuMs: number }>();

  add(key: string, connections: number, ms: number, cpu: { all: number; main: number; flush: number }): void {
    const total = this.totals.get(key) ?? { connections: 0, ms: 0, cpuMs: 0, mainThreadCpuMs: 0, flushCpuMs: 0 };
    total.connections += connections;
    total.ms += ms;
    total.cpuMs += cpu.all;
    total.mainThreadCpuMs += cpu.main;
    total.flushCpuMs += cpu.flush;
    this.totals.set(key, total);
  }

  figures(key: string): SegmentFigures {
    const total = this.totals.get(key)!;
    return {
      rate: (total.connections / total.ms) * 1000,
      cpuMs: total.cpuMs / total.connections,
      mainThreadCpuMs: total.mainThreadCpuMs / total.connections,
      flushCpuMs: total.flushCpuMs / total.connections,
    };
  }
}

/** Every process's segments of `turns` turns; timed into `tally` when one is given. */
async function runTurns(running: readonly RunningProcess[], turns: number, options: ChurnOptions, tally?: SegmentTally): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    for (const member of turnOrder(running, turn)) {
      for (const phase of phasesOf(member)) {
        if (phase !== undefined) await setTracing(member, phase);
        const { pid } = member.gateway;
        const cpuBefore = { all: cpuTimeMs(pid), main: mainThreadCpuTimeMs(pid) };
        const started = performance.now();
        await churn(member.gateway, options.segment, options.concurrency);
        let ms = performance.now() - started;
        const cpu = { all: cpuTimeMs(pid) - cpuBefore.all, main: mainThreadCpuTimeMs(pid) - cpuBefore.main, flush: 0 };
        if (phase !== undefined) {
          // The trace lines of this segment are written now; their main-thread CPU is billed to it,
          // as time too: the main thread is what limits churn (see trace-switch.ts).
          cpu.flush = (await askSwitch(member, "flush")).flushCpuMs;
          ms += cpu.flush;
          cpu.all += cpu.flush;
          cpu.main += cpu.flush;
        }
        tally?.add(String(pid), options.segment, ms, cpu);
        if (phase !== undefined) tally?.add(`${pid} ${phase}`, options.segment, ms, cpu);
      }
    }
  }
}

async function warmUp(running: readonly RunningProcess[], options: ChurnOptions): Promise<void> {
  for (const { gateway } of running) await waitUntilQuiet(gateway.pid, QUIET);
  await runTurns(running, turnCount(options.warmup, options.segment, running.length), options);
}

async function measureRound(running: readonly RunningProcess[], options: ChurnOptions): Promise<ChurnRound> {
  const tally = new SegmentTally();
  await runTurns(running, turnCount(options.perRound, options.segment, running.length), options, tally);
  const round: ChurnRound = { processes: {} };
  for (const member of running) {
    const pid = member.gateway.pid;
    const figures: ProcessChurn = { ...tally.figures(String(pid)), rssKb: rssKb(pid), fds: fdCount(pid) };
    if (member.variant.tracingSwitch !== undefined) figures.phases = { lifecycle: tally.figures(`${pid} lifecycle`), off: tally.figures(`${pid} off`) };
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
        const switchAck = join(scratchDir, "trace-switch.ack");
        const gateway = await startGateway({ packageRoot: variant.root, nodeBin: options.nodeBin, scratchDir, env: gatewayEnv(variant, switchAck) });
        running.push({ variant, gateway, switchAck, tracing: "lifecycle", requests: 0, draw: seededRandom(round * 1_000 + running.length) });
      }
      await warmUp(running, options);
      result.rounds.push(await measureRound(running, options));
    } finally {
      for (const { gateway } of running) await gateway.stop("SIGTERM", { timeoutMs: 40_000 });
    }
  }
  return result;
}
