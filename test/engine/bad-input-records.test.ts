import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { scratchFolders, scratchCopy, treeHash } from "../support/packages.js";
import { runCli } from "../support/cli.js";

/**
 * Bad records, state paths and options (issue 19): each gets a coded error with a remedy, the
 * documented exit code, and nothing written. A small tsc-era release keeps these quick.
 */
const RELEASE = "2026.2.1";

const scratch = scratchFolders();

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(() => true, () => false);
}

/** The gateway's default trace location under HOME, with every variable that would move it unset. */
function homeOnlyEnv(home: string): Record<string, string | undefined> {
  return { HOME: home, OPENCLAW_PATCH_TRACE_FILE: undefined, OPENCLAW_STATE_DIR: undefined, OPENCLAW_PATCH_TRACE: undefined };
}

describe("apply --if-needed and the gateway's trace", () => {
  test("a folder that is not OpenClaw: exit 0, a warning, and nothing under ~/.openclaw", async () => {
    const dir = await scratch("ifneeded-not-openclaw");
    const home = path.join(dir, "home");
    const folder = path.join(dir, "not-openclaw");
    await fs.mkdir(home);
    await fs.mkdir(folder);
    await fs.writeFile(path.join(folder, "package.json"), JSON.stringify({ name: "something-else" }));
    const r = await runCli(["apply", "--if-needed", "--dir", folder, "--state-dir", path.join(dir, "state")], homeOnlyEnv(home));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /OCP_NOT_OPENCLAW/);
    assert.equal(await exists(path.join(home, ".openclaw")), false, "no trace file for a folder that has no gateway");
    assert.equal(await exists(path.join(dir, "state")), false);
  });

  test("a real install it patched: the re-patch leaves its line in that gateway's trace", async () => {
    const dir = await scratch("ifneeded-openclaw");
    const home = path.join(dir, "home");
    await fs.mkdir(home);
    const root = await scratchCopy(RELEASE, dir);
    const r = await runCli(["apply", "--if-needed", "--dir", root, "--state-dir", path.join(dir, "state")], homeOnlyEnv(home));
    assert.equal(r.code, 0, r.stderr);
    const trace = await fs.readFile(path.join(home, ".openclaw", "logs", "openclaw-patch-trace.jsonl"), "utf8");
    assert.match(trace, /"ev":"repatched","source":"cli","outcome":"applied"/);
  });
});

interface Patched {
  dir: string;
  root: string;
  state: string;
  args: string[];
}

async function patchedCopy(label: string): Promise<Patched> {
  const dir = await scratch(label);
  const root = await scratchCopy(RELEASE, dir);
  const state = path.join(dir, "state");
  const args = ["--dir", root, "--state-dir", state, "--json"];
  const r = await runCli(["apply", ...args]);
  assert.equal(r.code, 0, r.stderr);
  return { dir, root, state, args };
}

async function manifestOf(state: string): Promise<string> {
  const installs = await fs.readdir(path.join(state, "installs"));
  return path.join(state, "installs", installs[0]!, "manifest.json");
}

async function editManifest(state: string, edit: (value: any) => void): Promise<string> {
  const file = await manifestOf(state);
  const value = JSON.parse(await fs.readFile(file, "utf8"));
  edit(value);
  await fs.writeFile(file, JSON.stringify(value));
  return file;
}

describe("a record of the wrong shape", () => {
  const damage: [string, (value: any) => void][] = [
    ["a file entry without before", (value) => delete value.files.find((f: any) => f.before !== null).before],
    ["before of the wrong type", (value) => (value.files.find((f: any) => f.before !== null).before = "0".repeat(64))],
    ["before with a size that is not a number", (value) => (value.files.find((f: any) => f.before !== null).before.size = "big")],
    ["patches that are not a list", (value) => (value.patchSet = "all")],
  ];
  for (const [label, edit] of damage) {
    test(`${label}: revert, apply and verify say OCP_MANIFEST_CORRUPT (exit 2), nothing written`, async () => {
      const f = await patchedCopy("bad-record");
      await editManifest(f.state, edit);
      const tree = await treeHash(f.root);
      for (const command of ["revert", "apply", "verify"]) {
        const r = await runCli([command, ...f.args]);
        assert.equal(r.code, 2, `${command}: ${r.stdout}${r.stderr}`);
        assert.equal(r.json.error.code, "OCP_MANIFEST_CORRUPT");
        assert.match(r.json.error.remedy, /revert --forget/);
      }
      assert.equal(await treeHash(f.root), tree);
    });
  }

  test("a record of a newer schema, then its remedy: revert --forget sets it aside, and a reinstalled release patches again", async () => {
    const f = await patchedCopy("newer-record");
    const file = await editManifest(f.state, (value) => (value.schema = 2));
    const text = await fs.readFile(file, "utf8");
    const refused = await runCli(["revert", ...f.args]);
    assert.equal(refused.code, 2, refused.stdout);
    assert.equal(refused.json.error.code, "OCP_MANIFEST_CORRUPT");
    assert.match(refused.json.error.message, /newer openclaw-patch/);
    const tree = await treeHash(f.root);

    const forgot = await runCli(["revert", "--forget", ...f.args]);
    assert.equal(forgot.code, 0, forgot.stdout + forgot.stderr);
    assert.equal(forgot.json.outcome, "forgotten");
    const aside = forgot.json.diagnostics.find((d: any) => d.code === "OCP_RECORD_SET_ASIDE");
    assert.ok(aside, JSON.stringify(forgot.json));
    assert.equal(await fs.readFile(aside.details.setAside, "utf8"), text, "the record is kept aside as it was");
    assert.equal(await exists(file), false);
    assert.equal(await treeHash(f.root), tree, "--forget touches no file of the package");

    // The rest of the remedy: reinstall this release, then patch it afresh.
    await fs.rm(f.root, { recursive: true });
    await scratchCopy(RELEASE, f.dir);
    const applied = await runCli(["apply", ...f.args]);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.equal((await runCli(["verify", "--no-self-test", ...f.args])).code, 0);
  });

  test("revert --forget on a corrupt (not JSON) record works too", async () => {
    const f = await patchedCopy("corrupt-forget");
    await fs.writeFile(await manifestOf(f.state), "{ not json");
    const forgot = await runCli(["revert", "--forget", ...f.args]);
    assert.equal(forgot.code, 0, forgot.stdout + forgot.stderr);
    assert.equal(forgot.json.stateBefore, "unreadable-record");
  });
});

describe("a state path that cannot be a folder", () => {
  const kinds: [string, (state: string, dir: string) => Promise<void>][] = [
    ["a regular file", (state) => fs.writeFile(state, "not a folder")],
    ["a symlink to a file", async (state, dir) => {
      await fs.writeFile(path.join(dir, "a-file"), "x");
      await fs.symlink(path.join(dir, "a-file"), state);
    }],
    ["a dangling symlink", (state, dir) => fs.symlink(path.join(dir, "nowhere", "state"), state)],
  ];
  for (const [label, make] of kinds) {
    test(`${label}: OCP_STATE_DIR_UNUSABLE, exit 2, a remedy, nothing written`, async () => {
      const dir = await scratch("state-path");
      const root = await scratchCopy(RELEASE, dir);
      const state = path.join(dir, "state");
      await make(state, dir);
      const tree = await treeHash(root);
      const listing = (await fs.readdir(dir)).sort();
      for (const command of ["apply", "revert", "status", "verify"]) {
        const r = await runCli([command, "--dir", root, "--state-dir", state, "--json"]);
        assert.equal(r.code, 2, `${command}: ${r.stdout}${r.stderr}`);
        assert.equal(r.json.error.code, "OCP_STATE_DIR_UNUSABLE");
        assert.match(r.json.error.remedy, /--state-dir/);
      }
      // The hook keeps its record and wrapper there too.
      const hook = await runCli(["hook", "install", "--mechanism", "none", "--dir", root, "--state-dir", state, "--json"]);
      assert.equal(hook.code, 2, hook.stdout + hook.stderr);
      assert.equal(hook.json.error.code, "OCP_STATE_DIR_UNUSABLE");
      assert.equal(await treeHash(root), tree);
      assert.deepEqual((await fs.readdir(dir)).sort(), listing, "nothing created beside it (nor the dangling link's target)");
    });
  }
});

describe("numeric options: one parser, OCP_BAD_OPTION before any work", () => {
  test("--wait abc, watch --interval abc, status --watch 0x10 and --heartbeat-ms 1e3 are refused with exit 2", async () => {
    const f = await patchedCopy("bad-options");
    const tree = await treeHash(f.root);
    const cases: string[][] = [
      ["apply", "--wait", "abc", ...f.args],
      ["revert", "--wait", "abc", ...f.args],
      ["revert", "--wait", "-1", ...f.args],
      // Bounded by --max-checks: before, a NaN interval made this loop without sleeping.
      ["watch", "--interval", "abc", "--max-checks", "3", ...f.args],
      ["watch", "--interval", "5", "--max-checks", "many", ...f.args],
      ["status", "--watch", "0x10", ...f.args],
      ["apply", "--heartbeat-ms", "1e3", ...f.args],
      ["hook", "status", "--wait", "abc", "--json", "--state-dir", f.state],
    ];
    for (const args of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.equal(r.json.error.code, "OCP_BAD_OPTION", args.join(" "));
      assert.ok(r.json.error.remedy.length > 0);
    }
    assert.equal(await treeHash(f.root), tree);
  });
});
