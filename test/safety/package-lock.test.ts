import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { CLI, runCli } from "../support/cli.js";
import { setup, strayFiles } from "./helpers.js";
import { straceUnavailableReason } from "./strace.js";

/** Where the package's lock lives: beside the package folder, never inside it. */
const lockBeside = (root: string) => path.join(path.dirname(root), `.${path.basename(root)}.openclaw-patch.lock`);

describe("one lock per package, whatever the state folder (issue 19, finding 7)", { skip: straceUnavailableReason() }, () => {
  test("a second run with another --state-dir waits for the first (OCP_LOCKED with --wait 0)", { timeout: 300_000 }, async () => {
    const s = await setup("package-lock");
    const otherState = path.join(s.scratch, "other-state");
    // The first run is stopped (SIGSTOP, by strace) at its first rename: a backup going into its state
    // folder, well inside its locks. No timing: it stays stopped until we continue it. strace counts
    // calls per thread; one libuv thread makes "the first rename" one call.
    let stracePid = 0;
    const first = new Promise<{ code: number; stdout: string }>((resolve) => {
      stracePid = execFile("/usr/bin/strace", ["-f", "-qq", "-o", "/dev/null", "-e", "inject=rename,renameat,renameat2:signal=STOP:when=1", process.execPath, CLI, "apply", ...s.args], { env: { ...process.env, UV_THREADPOOL_SIZE: "1" }, timeout: 240_000 }, (error, stdout) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout }),
      ).pid!;
    });
    let finished = false;
    void first.then(() => (finished = true));
    const stateOf = async (pid: number) => (await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => "")).split(") ")[1]?.[0];
    // The traced run is strace's child. ptrace stops single threads for a moment at every system call;
    // the injected SIGSTOP stops them all, for good. Wait (bounded) until every thread has sat
    // stopped over three looks, with the package's lock taken.
    const allStopped = async (pid: number) => {
      const tids = await fs.readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
      const states = await Promise.all(tids.map(async (tid) => (await fs.readFile(`/proc/${pid}/task/${tid}/stat`, "utf8").catch(() => "")).split(") ")[1]?.[0]));
      return states.length > 0 && states.every((st) => st === "t");
    };
    let owner: number | undefined;
    let streak = 0;
    for (let attempt = 0; attempt < 600 && owner === undefined && !finished; attempt++) {
      const child = Number((await fs.readFile(`/proc/${stracePid}/task/${stracePid}/children`, "utf8").catch(() => "")).trim().split(" ")[0]);
      const locked = await fs.access(lockBeside(s.root)).then(() => true, () => false);
      streak = child > 0 && locked && (await allStopped(child)) ? streak + 1 : 0;
      if (streak >= 3) owner = child;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (owner === undefined) {
      // Never leave a stopped run behind (on a tool without the package lock it never gets one).
      const child = Number((await fs.readFile(`/proc/${stracePid}/task/${stracePid}/children`, "utf8").catch(() => "")).trim().split(" ")[0]);
      if (child > 0) process.kill(child, "SIGKILL");
      await first;
    }
    assert.ok(owner, "the first run stopped at its first rename, holding the package's lock");
    const resume = async (pid: number) => {
      for (let attempt = 0; attempt < 1_200 && !finished; attempt++) {
        if ((await stateOf(pid)) === "t") process.kill(pid, "SIGCONT");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    let second;
    try {
      const lock = JSON.parse(await fs.readFile(lockBeside(s.root), "utf8")) as { pid: number };
      assert.equal(lock.pid, owner, "the stopped run holds the package's lock");
      second = await runCli(["apply", "--dir", s.root, "--state-dir", otherState, "--json", "--wait", "0"]);
    } finally {
      // Whatever the second run did, the first is let go before anything is asserted.
      await resume(owner);
    }
    assert.equal(second.code, 6, second.stdout + second.stderr);
    assert.equal(second.json.error.code, "OCP_LOCKED");
    assert.deepEqual(await fs.readdir(path.join(otherState, "installs")).catch(() => []), [], "the second run wrote no record");
    const done = await first;
    assert.equal(done.code, 0, done.stdout);
    await assert.rejects(fs.access(lockBeside(s.root)), "the lock is gone after the run");
    assert.equal((await runCli(["verify", ...s.args, "--no-self-test"])).code, 0);
    assert.equal((await runCli(["revert", ...s.args])).code, 0);
    assert.deepEqual(await strayFiles(s.root), []);
  });
});
