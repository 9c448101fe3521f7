import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { after, describe, test } from "node:test";
import { ensureRelease, makeScratch, treeHash } from "../support/packages.js";
import { runCli } from "../support/cli.js";

/** A small tsc-era release: the package is copied onto a file system of its own. */
const RELEASE = "2026.2.1";
/** Room left beside the copied package: less than one patched bundle plus its backup needs. */
const SPARE_BYTES = 24 * 1024;

/** Why small file systems cannot be mounted here (not Linux, not root), or undefined when they can. */
function mountUnavailableReason(): string | undefined {
  if (process.platform !== "linux") return "tmpfs mounts are Linux-only";
  if (process.getuid?.() !== 0) return "mounting a small tmpfs needs root";
  return undefined;
}

const mounts: string[] = [];
const scratches: string[] = [];
after(async () => {
  for (const dir of mounts.reverse()) spawnSync("umount", [dir]);
  for (const dir of scratches) await fs.rm(dir, { recursive: true, force: true });
});

function mountTmpfs(dir: string, sizeBytes: number): void {
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeBytes}`, "tmpfs", dir]);
  mounts.push(dir);
}

function bytesUsed(dir: string): number {
  const out = execFileSync("df", ["--block-size=1", "--output=used", dir], { encoding: "utf8" });
  return Number(out.trim().split("\n").at(-1));
}

/** Every file below root whose name marks it as ours and temporary: none may outlive a failed run. */
async function strayFiles(root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { recursive: true });
  return entries.filter((entry) => /\.ocp-/.test(path.basename(String(entry))));
}

describe("no space left: a coded error, exit 5, the install unchanged", { skip: mountUnavailableReason() }, () => {
  test("on the package's file system", async () => {
    const scratch = await makeScratch("nospace-pkg");
    scratches.push(scratch);
    const volume = path.join(scratch, "volume");
    await fs.mkdir(volume);
    const source = await ensureRelease(RELEASE);
    // Sized from what the copy really takes on tmpfs, so only the patch's own writes run out.
    mountTmpfs(volume, 512 * 1024 * 1024);
    const root = path.join(volume, "node_modules", "openclaw");
    await fs.mkdir(path.dirname(root), { recursive: true });
    execFileSync("cp", ["-a", source, root]);
    const used = bytesUsed(volume);
    execFileSync("mount", ["-o", `remount,size=${used + SPARE_BYTES}`, volume]);
    const pristine = await treeHash(root);

    const r = await runCli(["apply", "--dir", root, "--state-dir", path.join(scratch, "state"), "--json"]);
    assert.equal(r.code, 5, r.stdout + r.stderr);
    assert.equal(r.json.error.code, "OCP_NO_SPACE");
    assert.match(r.json.error.remedy, /free space/);
    assert.equal(await treeHash(root), pristine, "the package is as it was");
    assert.deepEqual(await strayFiles(root), [], "no temp or probe file left in the package");
  });

  test("on the state folder's file system", async () => {
    const scratch = await makeScratch("nospace-state");
    scratches.push(scratch);
    const source = await ensureRelease(RELEASE);
    const root = path.join(scratch, "node_modules", "openclaw");
    await fs.mkdir(path.dirname(root), { recursive: true });
    execFileSync("cp", ["-a", source, root]);
    const state = path.join(scratch, "state");
    await fs.mkdir(state);
    mountTmpfs(state, 64 * 1024);
    const pristine = await treeHash(root);

    const r = await runCli(["apply", "--dir", root, "--state-dir", state, "--json"]);
    assert.equal(r.code, 5, r.stdout + r.stderr);
    assert.equal(r.json.error.code, "OCP_NO_SPACE");
    assert.equal(await treeHash(root), pristine, "the package is as it was");
    assert.deepEqual(await strayFiles(root), [], "no temp or probe file left in the package");
    assert.deepEqual(await strayFiles(state), [], "no temp file left in the state folder");
  });
});
