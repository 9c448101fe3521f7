import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { scratchCopy, scratchFolders, treeHash } from "../support/packages.js";
import { runCli } from "../support/cli.js";

/**
 * Every option value goes through the command's option table before anything runs (issue 17): a bad
 * one fails fast with OCP_BAD_OPTION, exit 2, and neither the state folder nor the package changes.
 */
const RELEASE = "2026.2.1";
const scratch = scratchFolders();

async function stateFolderHash(state: string): Promise<string> {
  return fs.lstat(state).then(() => treeHash(state), () => "absent");
}

describe("bad option values: OCP_BAD_OPTION, exit 2, nothing written", () => {
  test("seconds, counts, ports, an unknown enum word and an empty path, on a patched install", async () => {
    const dir = await scratch("bad-option-values");
    const root = await scratchCopy(RELEASE, dir);
    const state = path.join(dir, "state");
    const target = ["--dir", root, "--state-dir", state, "--json"];
    assert.equal((await runCli(["apply", ...target])).code, 0);
    const cases: string[][] = [
      ["watch", "--interval", "abc", "--max-checks", "2", ...target],
      ["watch", "--interval", "0", "--max-checks", "2", ...target],
      ["apply", "--wait", "abc", ...target],
      ["apply", "--wait", "-1", ...target],
      ["apply", "--abortive-close", "maybe", ...target],
      ["apply", "--keepalive-ms", "0", ...target],
      ["revert", "--wait", "1e3", ...target],
      ["status", "--watch", "-1", ...target],
      ["status", "--watch-count", "0", ...target],
      ["status", "--port", "70000", ...target],
      ["verify", "--port", "abc", ...target],
      ["verify", "--live", "--close-grace-ms", "1.5", ...target],
      ["trace", "--since", "the day before", "--json", path.join(dir, "no-trace.jsonl")],
      ["report", "--html", "", "--json", path.join(dir, "no-trace.jsonl")],
      ["report", "--since", "yesterday-ish", "--html", path.join(dir, "r.html"), "--json", path.join(dir, "no-trace.jsonl")],
      ["apply", "--dir", root, "--state-dir", "", "--json"],
    ];
    const before = { tree: await treeHash(root), state: await stateFolderHash(state) };
    for (const args of cases) {
      const r = await runCli(args, { HOME: path.join(dir, "home") });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.equal(r.json?.error?.code, "OCP_BAD_OPTION", `${args.join(" ")}: ${r.stdout}`);
      assert.ok(r.json.error.remedy.length > 0);
    }
    assert.equal(await treeHash(root), before.tree, "the package is untouched");
    assert.equal(await stateFolderHash(state), before.state, "the state folder is untouched");
    assert.deepEqual(await fs.readdir(dir).then((names) => names.sort()), ["node_modules", "state"], "nothing written beside them (no home, no trace)");
  });

  test("apply --wait abc behind a held lock is refused at once, not polled against a NaN deadline", async () => {
    const dir = await scratch("bad-wait-held-lock");
    const root = await scratchCopy(RELEASE, dir);
    const state = path.join(dir, "state");
    await fs.mkdir(state);
    const lock = path.join(state, "openclaw-patch.lock");
    const owner = JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command: "apply" });
    await fs.writeFile(lock, owner);
    const tree = await treeHash(root);
    const started = Date.now();
    const r = await runCli(["apply", "--wait", "abc", "--dir", root, "--state-dir", state, "--json"], {}, 30_000);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.json.error.code, "OCP_BAD_OPTION");
    assert.ok(Date.now() - started < 20_000, "refused before waiting on the lock");
    assert.equal(await fs.readFile(lock, "utf8"), owner, "the other run's lock is left as it was");
    assert.deepEqual(await fs.readdir(state), ["openclaw-patch.lock"]);
    assert.equal(await treeHash(root), tree);
  });

  test("an unknown --mechanism keeps its published code, OCP_HOOK_BAD_OPTION, with the same exit 2", async () => {
    const dir = await scratch("bad-mechanism");
    const state = path.join(dir, "state");
    const r = await runCli(["hook", "install", "--mechanism", "cron", "--state-dir", state, "--json"]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.json.command, "hook install");
    assert.equal(r.json.error.code, "OCP_HOOK_BAD_OPTION");
    assert.equal(await stateFolderHash(state), "absent");
  });
});
