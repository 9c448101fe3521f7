// Instructions the gateway executes per connection, counted by valgrind's callgrind: a figure that
// does not depend on what else the machine runs, beside the wall-clock churn figures that do.
// Startup runs uninstrumented (--instr-atstart=no); counting covers only the measured churn.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startGateway } from "../support/gateway-process.js";
import { churn, slugOf, type ChurnVariant } from "./gateway-churn.js";
import { waitUntilQuiet } from "./process-quiet.js";

const START_TIMEOUT_MS = 10 * 60_000;
const CONTROL_TIMEOUT_MS = 60_000;
/** Lets connections closed at the end of a churn finish their teardown inside the counted window. */
const SETTLE_MS = 500;
/** Under valgrind an idle gateway still costs a little; start-up work costs far more, for minutes. */
const QUIET = { maxShare: 0.1, windowMs: 2_000, timeoutMs: 5 * 60_000 };

export interface CallgrindOptions {
  variants: readonly ChurnVariant[];
  nodeBin: string;
  scratch: string;
  warmup: number;
  counted: number;
  concurrency: number;
  /** Processes counted per variant, one after another. */
  processes: number;
}

export function callgrindAvailable(): boolean {
  const probe = spawnSync("valgrind", ["--version"], { encoding: "utf8" });
  const control = spawnSync("callgrind_control", ["--version"], { encoding: "utf8" });
  return probe.status === 0 && control.status === 0;
}

/**
 * A `node` for the gateway that runs the real one under callgrind. The folder also holds a plain
 * `node` link, since the gateway's PATH starts with the folder of the binary it was given.
 */
function callgrindNode(dir: string, nodeBin: string, outFile: string, vgdbPrefix: string): string {
  mkdirSync(dir, { recursive: true });
  symlinkSync(nodeBin, join(dir, "node"));
  const wrapper = join(dir, "node-under-callgrind");
  const args = ["--tool=callgrind", "--instr-atstart=no", "--smc-check=all-non-file", `--vgdb-prefix=${vgdbPrefix}`, `--callgrind-out-file=${outFile}`, `--log-file=${outFile}.log`];
  writeFileSync(wrapper, `#!/bin/sh\nexec valgrind ${args.join(" ")} "${nodeBin}" "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/** The gateway keeps /tmp private (a mount namespace), so vgdb's pipes live in the scratch folder. */
export function instrument(pid: number, on: boolean, vgdbPrefix: string): void {
  const run = spawnSync("callgrind_control", [`--vgdb-prefix=${vgdbPrefix}`, "-i", on ? "on" : "off", String(pid)], { encoding: "utf8", timeout: CONTROL_TIMEOUT_MS });
  if (run.status !== 0) throw new Error(`callgrind_control -i ${on ? "on" : "off"} ${pid} failed: ${run.stderr}${run.stdout}`);
}

/**
 * Instructions per connection for each variant, one count per process, one gateway under callgrind
 * at a time. Processes of one install can differ: one unpatched process counted 7 % more than
 * another, its extra work in V8 migrating objects to new hidden classes, the sign of code that was
 * optimised against shapes that then changed.
 */
export async function countInstructions(options: CallgrindOptions): Promise<Record<string, number[]>> {
  const counts: Record<string, number[]> = {};
  for (let index = 0; index < options.processes; index++) {
    for (const variant of options.variants) (counts[variant.name] ??= []).push(await countOneProcess(variant, index, options));
  }
  return counts;
}

async function countOneProcess(variant: ChurnVariant, index: number, options: CallgrindOptions): Promise<number> {
  const label = `${slugOf(variant.name)}-${index}`;
  const dir = join(options.scratch, `callgrind-${label}`);
  const outFile = join(dir, "callgrind.out");
  const vgdbPrefix = join(dir, "vgdb");
  const nodeBin = callgrindNode(dir, options.nodeBin, outFile, vgdbPrefix);
  const gateway = await startGateway({ packageRoot: variant.root, nodeBin, scratchDir: join(dir, "gateway"), env: variant.env, startTimeoutMs: START_TIMEOUT_MS });
  try {
    await churn(gateway, options.warmup, options.concurrency);
    await waitUntilQuiet(gateway.pid, QUIET);
    instrument(gateway.pid, true, vgdbPrefix);
    await churn(gateway, options.counted, options.concurrency);
    await sleep(SETTLE_MS);
    instrument(gateway.pid, false, vgdbPrefix);
  } finally {
    await gateway.stop("SIGTERM", { timeoutMs: 120_000 });
  }
  return instructionsCollected(`${outFile}.log`) / options.counted;
}

/** The instruction total callgrind reports in its log file at exit. */
export function instructionsCollected(logFile: string): number {
  const collected = /Collected : (\d+)/.exec(readFileSync(logFile, "utf8"));
  if (collected === null) throw new Error(`no instruction count in ${logFile}`);
  return Number(collected[1]);
}
