import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface ChildRun {
  /** Wall time from spawn to the child's exit, in milliseconds. */
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

export interface Summary {
  runs: number;
  median: number;
  min: number;
}

const GNU_TIME = "/usr/bin/time";
/** The exit hook the fallback RSS probe preloads; compiled beside this file. */
const RSS_HOOK = fileURLToPath(new URL("./rss-exit-hook.js", import.meta.url));

/** Runs `node <args>` once (this Node unless another is named) and times it from spawn to exit; a child past the timeout is killed. */
export function timeNode(args: readonly string[], timeoutMs: number, nodeBinary = process.execPath): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(nodeBinary, args, { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs, killSignal: "SIGKILL" });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const ms = performance.now() - started;
      const stderr = Buffer.concat(err).toString("utf8");
      if (signal) reject(new Error(`node ${args.join(" ")} ended by ${signal} after ${Math.round(ms)} ms (timeout ${timeoutMs} ms)\n${stderr}`));
      else resolve({ ms, code: code ?? 1, stdout: Buffer.concat(out).toString("utf8"), stderr });
    });
  });
}

/** The middle value, or the mean of the two middle values of an even count. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(samples: readonly number[]): Summary {
  return { runs: samples.length, median: median(samples), min: Math.min(...samples) };
}

export type RssMethod = "gnu-time" | "exit-hook";

/**
 * GNU time reads the kernel's peak RSS of the whole child without touching it; where it is missing
 * (macOS ships a BSD time without -f), a preloaded exit hook reports process.resourceUsage().maxRSS.
 */
export function rssMethod(): RssMethod {
  if (!existsSync(GNU_TIME)) return "exit-hook";
  const probe = spawnSync(GNU_TIME, ["-f", "%M", "true"], { encoding: "utf8", timeout: 10_000 });
  return probe.status === 0 && /^\d+\s*$/m.test(probe.stderr) ? "gnu-time" : "exit-hook";
}

export function describeRssMethod(method: RssMethod): string {
  return method === "gnu-time"
    ? "peak RSS (and CPU time) from GNU `/usr/bin/time -f '%M %U %S'` around one extra, untimed run of the same command"
    : "peak RSS (and CPU time) from process.resourceUsage() at exit (preloaded hook), one extra, untimed run";
}

export interface ResourceProbe {
  /** Peak resident set size, KiB. */
  rssKiB: number;
  /** User plus system CPU time, ms: steadier than wall time when other work shares the machine. */
  cpuMs: number;
  run: ChildRun;
}

/** Peak RSS and CPU time of one run of `node <args>`. The run is not part of the timings. */
export async function probeResources(method: RssMethod, args: readonly string[], timeoutMs: number): Promise<ResourceProbe> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ocp-bench-rss-"));
  const report = path.join(dir, "maxrss");
  try {
    const run = await new Promise<ChildRun>((resolve, reject) => {
      const [command, commandArgs, env] =
        method === "gnu-time"
          ? [GNU_TIME, ["-f", "%M %U %S", "-o", report, process.execPath, ...args], process.env]
          : [process.execPath, ["--import", pathToFileURL(RSS_HOOK).href, ...args], { ...process.env, OCP_BENCH_RSS_FILE: report }];
      const started = performance.now();
      const child = spawn(command, commandArgs, { stdio: ["ignore", "pipe", "pipe"], env, timeout: timeoutMs, killSignal: "SIGKILL" });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
      child.on("error", reject);
      child.on("close", (code, signal) => {
        if (signal) reject(new Error(`RSS run ended by ${signal}`));
        else resolve({ ms: performance.now() - started, code: code ?? 1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
      });
    });
    // GNU time writes a "Command exited with non-zero status" line before the figures on failure.
    const lines = (await fs.readFile(report, "utf8")).trim().split("\n");
    const [rss, user, system] = lines[lines.length - 1]!.trim().split(/\s+/).map(Number);
    // GNU time reports seconds with two decimals; the hook reports milliseconds already.
    const cpuMs = method === "gnu-time" ? ((user ?? NaN) + (system ?? NaN)) * 1000 : (user ?? NaN) + (system ?? NaN);
    return { rssKiB: rss ?? NaN, cpuMs, run };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
