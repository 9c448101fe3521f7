import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { CLI, runCli } from "../support/cli.js";
import { treeHash } from "../support/packages.js";
import { installDirOf, setup, strayFiles, type Setup } from "./helpers.js";
import { runCliKilledAt, straceUnavailableReason } from "./strace.js";

/**
 * Kills apply, revert and recovery at every file-system call they make (before the call runs) and
 * checks that the next run of the same command ends with the package exactly stock (revert) or exactly
 * patched (apply, recovery), no temp or probe of ours in the package or the state folder, no lock left.
 * `npm run test:kill-sweep` (OCP_KILL_SWEEP=full) runs every point; the default suites a sample.
 */
const FULL = process.env.OCP_KILL_SWEEP === "full";
/** Points per scenario in the default suites: about a minute in all. */
const SAMPLE_PER_SCENARIO = 1;
/** The calls that change a file system; openat and write count only when they open for writing or write a file. */
const SYSCALLS = ["openat", "write", "pwrite64", "fsync", "fdatasync", "rename", "renameat", "renameat2", "unlink", "unlinkat", "chmod", "fchmod", "fchmodat", "mkdir", "mkdirat", "link", "linkat", "utimensat", "rmdir"];
/** One libuv thread: the asynchronous calls then come in one order, so "the n-th call" names one call. */
const ENV = { UV_THREADPOOL_SIZE: "1" };

interface Point {
  syscall: string;
  nth: number;
  what: string;
}

interface Scenario {
  name: "apply" | "revert" | "recovery";
  command: "apply" | "revert";
  /** The state the command starts from. */
  prepare(s: Setup): Promise<void>;
  ends: "patched" | "stock";
}

const SCENARIOS: Scenario[] = [
  { name: "apply", command: "apply", prepare: async () => undefined, ends: "patched" },
  {
    name: "revert",
    command: "revert",
    prepare: async (s) => assert.equal((await runCli(["apply", ...s.args])).code, 0),
    ends: "stock",
  },
  {
    // An apply killed after its first rename: the next apply's recovery rolls it back, then applies.
    name: "recovery",
    command: "apply",
    prepare: async (s) => assert.notEqual((await runCli(["apply", ...s.args], { OPENCLAW_PATCH_FAILPOINT: "after-rename:1" })).code, 0),
    ends: "patched",
  },
];

/** Runs the command once under strace, recording the calls, and lists each file-changing call strace can kill at. */
async function killPoints(s: Setup, command: string): Promise<Point[]> {
  const log = path.join(s.scratch, "strace.log");
  await new Promise<void>((resolve) => {
    execFile("/usr/bin/strace", ["-f", "-qq", "-o", log, "-e", `trace=${SYSCALLS.join(",")}`, process.execPath, CLI, command, ...s.args], { env: { ...process.env, ...ENV }, maxBuffer: 64 << 20 }, () => resolve());
  });
  const lines = (await fs.readFile(log, "utf8")).split("\n");
  const counts = new Map<string, number>();
  const reached = new Set<string>();
  const writeFds = new Set<string>();
  const points: Point[] = [];
  for (const line of lines) {
    const m = /^(\d+)\s+([a-z0-9_]+)\((.*)$/.exec(line);
    if (!m) continue;
    const [, tid, syscall, rest] = m as unknown as [string, string, string, string];
    // strace counts calls per thread: this is that thread's n-th call of this kind.
    const key = `${tid}:${syscall}`;
    const nth = (counts.get(key) ?? 0) + 1;
    counts.set(key, nth);
    const firstToReach = !reached.has(`${syscall}:${nth}`);
    reached.add(`${syscall}:${nth}`);
    const opensForWrite = syscall === "openat" && /O_WRONLY|O_RDWR|O_CREAT/.test(rest);
    if (opensForWrite) {
      const fd = /= (\d+)\s*$/.exec(rest)?.[1];
      if (fd) writeFds.add(fd);
    }
    const fileWrite = (syscall === "write" || syscall === "pwrite64") && writeFds.has(/^(\d+),/.exec(rest)?.[1] ?? "");
    const changes = opensForWrite || fileWrite || !["openat", "write", "pwrite64"].includes(syscall);
    // strace kills at the n-th call of whichever thread gets there first; a point another thread
    // reaches first (the main thread loading modules) cannot be aimed at.
    if (changes && firstToReach) points.push({ syscall, nth, what: line.slice(0, 160) });
  }
  return points;
}

let references: Promise<{ stock: string; patched: string }> | undefined;
/** The stock and the patched tree hashes, from one clean apply. */
function referenceHashes(): Promise<{ stock: string; patched: string }> {
  references ??= (async () => {
    const s = await setup("sweep-ref");
    const stock = await treeHash(s.root);
    assert.equal((await runCli(["apply", ...s.args])).code, 0);
    return { stock, patched: await treeHash(s.root) };
  })();
  return references;
}

function sample(points: readonly Point[]): Point[] {
  if (FULL || points.length <= SAMPLE_PER_SCENARIO) return [...points];
  return Array.from({ length: SAMPLE_PER_SCENARIO }, (_, i) => points[Math.floor(((i + 0.5) * points.length) / SAMPLE_PER_SCENARIO)]!);
}

describe(`killed at ${FULL ? "every" : "a sample of the"} file-system call(s) of apply, revert and recovery`, { skip: straceUnavailableReason() }, () => {
  for (const scenario of SCENARIOS) {
    test(`${scenario.name}: each kill ends ${scenario.ends}, nothing stray`, { timeout: FULL ? 3 * 60 * 60_000 : 10 * 60_000 }, async () => {
      const { stock, patched } = await referenceHashes();
      const expected = scenario.ends === "patched" ? patched : stock;

      const dry = await setup(`sweep-dry-${scenario.name}`);
      await scenario.prepare(dry);
      const all = await killPoints(dry, scenario.command);
      assert.ok(all.length > 0, "strace saw the command's file-system calls");
      const chosen = sample(all);
      const failures: string[] = [];
      let killed = 0;
      for (const point of chosen) {
        const s = await setup(`sweep-${scenario.name}`);
        await scenario.prepare(s);
        const run = await runCliKilledAt([scenario.command, ...s.args], [point.syscall], point.nth, ENV);
        if (run.killed) killed++;
        const settle = await runCli([scenario.command, ...s.args]);
        const problems: string[] = [];
        if (settle.code !== 0) problems.push(`the next ${scenario.command} exited ${settle.code}: ${settle.json?.error?.code ?? settle.stderr.slice(0, 200)}`);
        if ((await treeHash(s.root)) !== expected) problems.push(`the tree is neither ${scenario.ends} (hash differs)`);
        const strays = [...(await strayFiles(s.root)), ...(await strayFiles(installDirOf(s.state, s.root)))];
        if (strays.length > 0) problems.push(`stray files: ${strays.join(", ")}`);
        const locks = (await fs.readdir(path.dirname(s.root))).filter((f) => f.endsWith(".lock"));
        if (locks.length > 0) problems.push(`lock left: ${locks.join(", ")}`);
        if (problems.length > 0) failures.push(`${point.syscall} #${point.nth} (${point.what}): ${problems.join("; ")}`);
        await fs.rm(s.scratch, { recursive: true, force: true });
      }
      process.stdout.write(`# kill sweep ${scenario.name}: ${chosen.length} of ${all.length} point(s), ${killed} killed\n`);
      assert.deepEqual(failures, [], `${failures.length} of ${chosen.length} kill point(s) broke a promise`);
      assert.ok(killed > 0, "at least one run was killed");
    });
  }
});
