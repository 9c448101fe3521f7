import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { makeScratch, scratchCopy, treeHash } from "../support/packages.js";
import { runCli } from "../support/cli.js";

/**
 * Bad records, state paths and options (issue 19): each gets a coded error with a remedy, the
 * documented exit code, and nothing written. A small tsc-era release keeps these quick.
 */
const RELEASE = "2026.2.1";

const scratches: string[] = [];
after(async () => {
  for (const dir of scratches) await fs.rm(dir, { recursive: true, force: true });
});

async function scratch(label: string): Promise<string> {
  const dir = await makeScratch(label);
  scratches.push(dir);
  return dir;
}

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
