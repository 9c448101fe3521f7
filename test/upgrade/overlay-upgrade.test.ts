import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { ensureRelease, makeScratch, scratchCopy, treeHash } from "../support/packages.js";
import { runCli } from "../support/cli.js";

const run = promisify(execFile);
/** Patched first; then the older release's files are copied over its tree without deleting any. */
const PATCHED = "2026.9.6";
const OVERLAID = "2026.9.5";

const scratches: string[] = [];
after(async () => {
  for (const dir of scratches) await fs.rm(dir, { recursive: true, force: true });
});

/**
 * An upgrade that copies the new release's files over the old tree (as an archive extracted over
 * the folder would). Hardlinks again, replacing each destination rather than writing through it, so
 * the cache stays pristine.
 */
async function overlay(root: string, version: string): Promise<void> {
  const source = await ensureRelease(version);
  await run("cp", ["-al", "--remove-destination", `${source}/.`, `${root}/`], { timeout: 5 * 60_000 });
}

async function overlaidTree(label: string): Promise<{ dir: string; root: string; state: string; args: string[] }> {
  const dir = await makeScratch(label);
  scratches.push(dir);
  const root = await scratchCopy(PATCHED, dir);
  const state = path.join(dir, "state");
  return { dir, root, state, args: ["--dir", root, "--state-dir", state, "--json"] };
}

/** The same overlay on a release never patched: what revert must return to. */
async function pristineOverlayHash(): Promise<string> {
  const f = await overlaidTree("overlay-pristine");
  await overlay(f.root, OVERLAID);
  return treeHash(f.root);
}

test("an overlay upgrade is upgraded, not patched: the new release is patched, the old release's patched files restored, revert returns to the overlay", { timeout: 20 * 60_000 }, async () => {
  const pristine = await pristineOverlayHash();
  const f = await overlaidTree("overlay");
  const applied = await runCli(["apply", ...f.args]);
  assert.equal(applied.code, 0, applied.stderr);
  const oldChunks = (applied.json.changedFiles as string[]).filter((file) => file.startsWith("dist/"));
  assert.ok(oldChunks.length > 0);
  await overlay(f.root, OVERLAID);

  const status = await runCli(["status", ...f.args, "--port", "1"]);
  assert.equal(status.json.version, OVERLAID);
  assert.equal(status.json.state, "upgraded", "the old release's files still hash as patched, but they are not this release's code");
  assert.deepEqual([...status.json.leftByRelease].sort(), [...oldChunks].sort());
  const verify = await runCli(["verify", "--no-self-test", ...f.args]);
  assert.equal(verify.code, 1, verify.stdout);

  // The upgrade hook patches the new release.
  const hook = await runCli(["apply", "--if-needed", ...f.args]);
  assert.equal(hook.code, 0, hook.stderr);
  assert.equal(hook.json.outcome, "applied", hook.stdout + hook.stderr);
  const after = await runCli(["status", ...f.args, "--port", "1"]);
  assert.equal(after.json.state, "patched");
  assert.equal(after.json.patchedRelease, OVERLAID);
  assert.deepEqual(after.json.leftByRelease, []);
  assert.ok(!after.json.files.some((file: { path: string }) => oldChunks.includes(file.path)), "the new record names only the new release's files");
  assert.equal((await runCli(["verify", "--no-self-test", ...f.args])).code, 0);
  // The old release's chunks are back to their original bytes.
  const cache = await ensureRelease(PATCHED);
  for (const file of oldChunks) assert.ok((await fs.readFile(path.join(f.root, file))).equals(await fs.readFile(path.join(cache, file))), file);
  assert.equal((await runCli(["apply", ...f.args])).json.outcome, "unchanged");

  const reverted = await runCli(["revert", ...f.args]);
  assert.equal(reverted.code, 0, reverted.stdout);
  assert.equal(await treeHash(f.root), pristine);
});

test("revert right after an overlay upgrade restores the files the old release left patched", { timeout: 20 * 60_000 }, async () => {
  const pristine = await pristineOverlayHash();
  const f = await overlaidTree("overlay-revert");
  assert.equal((await runCli(["apply", ...f.args])).code, 0);
  await overlay(f.root, OVERLAID);
  const reverted = await runCli(["revert", ...f.args]);
  assert.equal(reverted.code, 0, reverted.stdout);
  assert.equal(reverted.json.stateBefore, "upgraded");
  assert.equal(reverted.json.outcome, "reverted");
  assert.ok(reverted.json.diagnostics.some((d: { code: string }) => d.code === "OCP_UPGRADED"));
  assert.equal(await treeHash(f.root), pristine);
  assert.equal((await runCli(["status", ...f.args, "--port", "1"])).json.state, "stock");
});
