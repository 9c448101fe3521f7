import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { makeScratch, scratchCopy, treeHash } from "../support/packages.js";
import { runCli, CLI } from "../support/cli.js";

/** A small tsc-era release keeps these tests quick; every case asserts the code and an unchanged tree. */
const RELEASE = "2026.2.1";
const HANDLER = "dist/gateway/server/ws-connection.js";

interface Fixture {
  scratch: string;
  root: string;
  state: string;
  args: string[];
}

async function fixture(label: string): Promise<Fixture> {
  const scratch = await makeScratch(`bad-${label}`);
  const root = await scratchCopy(RELEASE, scratch);
  const state = path.join(scratch, "state");
  return { scratch, root, state, args: ["--dir", root, "--state-dir", state, "--json"] };
}

async function patched(label: string): Promise<Fixture> {
  const f = await fixture(label);
  const r = await runCli(["apply", ...f.args]);
  assert.equal(r.code, 0, r.stderr);
  return f;
}

/** Replaces a file by a new inode, as an editor or installer would, so the hardlinked cache stays intact. */
async function rewrite(file: string, transform: (text: string) => string): Promise<void> {
  const text = await fs.readFile(file, "utf8");
  await fs.rm(file);
  await fs.writeFile(file, transform(text));
}

const scratches: string[] = [];
after(async () => {
  for (const dir of scratches) await fs.rm(dir, { recursive: true, force: true });
});

describe("bad input: a clear code, a remedy, nothing written", () => {
  test("a folder that is not an OpenClaw package", async () => {
    const scratch = await makeScratch("not-openclaw");
    scratches.push(scratch);
    const state = path.join(scratch, "state");
    await fs.writeFile(path.join(scratch, "package.json"), JSON.stringify({ name: "something-else" }));
    const r = await runCli(["apply", "--dir", scratch, "--state-dir", state, "--json"]);
    assert.equal(r.code, 2);
    assert.equal(r.json.error.code, "OCP_NOT_OPENCLAW");
    assert.ok(r.json.error.remedy.length > 0);
    await assert.rejects(fs.access(state), "no state written");
  });

  test("a future release whose anchors drifted: nearest miss named, nothing written", async () => {
    const f = await fixture("drift");
    scratches.push(f.scratch);
    await rewrite(path.join(f.root, HANDLER), (t) => t.replace('wss.on("connection", (socket, upgradeReq) => {', 'wss.on("connection", (socket) => { const upgradeReq = socket.upgradeReq;'));
    const tree = await treeHash(f.root);
    const r = await runCli(["apply", ...f.args]);
    assert.equal(r.code, 3, r.stdout);
    const miss = r.json.diagnostics.find((d: any) => d.code === "OCP_SITE_NOT_FOUND");
    assert.ok(miss, JSON.stringify(r.json.diagnostics));
    assert.equal(miss.details.site, "connection-handler");
    assert.match(miss.message, /nearest miss at dist\/gateway\/server\/ws-connection\.js:\d+:\d+ failed: callback takes \(socket, upgradeReq\)/);
    assert.equal(await treeHash(f.root), tree);
    await assert.rejects(fs.access(path.join(f.root, "openclaw-patch-runtime.mjs")));
  });

  test("a corrupt manifest", async () => {
    const f = await patched("corrupt-manifest");
    scratches.push(f.scratch);
    const manifest = await findManifest(f.state);
    await fs.writeFile(manifest, "{ not json");
    const tree = await treeHash(f.root);
    for (const command of ["apply", "revert", "verify"]) {
      const r = await runCli([command, ...f.args]);
      assert.equal(r.code, 2, `${command}: ${r.stdout}`);
      assert.equal(r.json.error.code, "OCP_MANIFEST_CORRUPT");
    }
    assert.equal(await treeHash(f.root), tree);
  });

  test("a manifest whose paths point outside the package", async () => {
    const f = await patched("unsafe-manifest");
    scratches.push(f.scratch);
    const manifest = await findManifest(f.state);
    const value = JSON.parse(await fs.readFile(manifest, "utf8"));
    value.files[0].path = "../../../etc/passwd";
    await fs.writeFile(manifest, JSON.stringify(value));
    const tree = await treeHash(f.root);
    const r = await runCli(["revert", ...f.args]);
    assert.equal(r.code, 2);
    assert.equal(r.json.error.code, "OCP_MANIFEST_UNSAFE");
    assert.equal(await treeHash(f.root), tree);
  });

  test("a missing backup and an altered backup", async () => {
    const f = await patched("backup");
    scratches.push(f.scratch);
    const objects = await listFiles(path.join(f.state, "objects"));
    const tree = await treeHash(f.root);
    const victim = objects[0]!;
    const saved = await fs.readFile(victim);
    await fs.writeFile(victim, Buffer.concat([saved, Buffer.from("x")]));
    let r = await runCli(["revert", ...f.args]);
    assert.equal(r.code, 2, r.stdout);
    assert.equal(r.json.error.code, "OCP_BACKUP_CORRUPT");
    assert.equal(await treeHash(f.root), tree);
    await fs.rm(victim);
    r = await runCli(["revert", ...f.args]);
    assert.equal(r.json.error.code, "OCP_BACKUP_MISSING");
    assert.equal(await treeHash(f.root), tree);
  });

  test("a target edited after patching: refused, then --force restores the original", async () => {
    const f = await patched("edited");
    scratches.push(f.scratch);
    await rewrite(path.join(f.root, HANDLER), (t) => `${t}\n// local edit\n`);
    const tree = await treeHash(f.root);
    for (const command of ["revert", "apply"]) {
      const r = await runCli([command, ...f.args]);
      assert.equal(r.code, 4, `${command}: ${r.stdout}`);
      assert.equal(r.json.error.code, "OCP_TARGET_CHANGED");
      assert.deepEqual(r.json.error.details.files, [HANDLER]);
    }
    assert.equal(await treeHash(f.root), tree);
    const forced = await runCli(["revert", "--force", ...f.args]);
    assert.equal(forced.code, 0, forced.stdout);
    const pristine = await fixture("edited-pristine");
    scratches.push(pristine.scratch);
    assert.equal(await treeHash(f.root), await treeHash(pristine.root));
  });

  test("a read-only file system (EROFS) and a root-owned install (EACCES)", { skip: process.getuid?.() !== 0 ? "needs root to mount and switch users" : false }, async () => {
    const f = await fixture("readonly");
    scratches.push(f.scratch);
    await fs.chmod(f.scratch, 0o755);
    const tree = await treeHash(f.root);
    const dist = path.join(f.root, "dist");
    const script = `mount --bind "${dist}" "${dist}" && mount -o remount,bind,ro "${dist}" && exec "${process.execPath}" "${CLI}" apply --dir "${f.root}" --state-dir "${f.state}" --json`;
    const erofs = spawnStatus("unshare", ["--mount", "--propagation", "private", "sh", "-c", script]);
    assert.equal(erofs.status, 5, erofs.stdout);
    const error = JSON.parse(erofs.stdout).error;
    assert.equal(error.code, "OCP_PERMISSION");
    assert.equal(error.details.errno, "EROFS");
    assert.equal(await treeHash(f.root), tree);

    const userState = path.join(f.scratch, "user-state");
    await fs.mkdir(userState, { mode: 0o777 });
    await fs.chmod(userState, 0o777);
    const eacces = spawnStatus("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, CLI, "apply", "--dir", f.root, "--state-dir", userState, "--json"]);
    assert.equal(eacces.status, 5, eacces.stdout + eacces.stderr);
    const denied = JSON.parse(eacces.stdout).error;
    assert.equal(denied.code, "OCP_PERMISSION");
    assert.match(denied.remedy, /sudo openclaw-patch apply --dir/);
    assert.equal(await treeHash(f.root), tree);
  });

  test("two runs at once: one waits or exits cleanly with OCP_LOCKED, the install ends consistent", async () => {
    const f = await fixture("concurrent");
    scratches.push(f.scratch);
    const [a, b] = await Promise.all([runCli(["apply", ...f.args]), runCli(["apply", ...f.args])]);
    const codes = [a.code, b.code].sort();
    const locked = [a, b].filter((r) => r.code === 6);
    for (const r of locked) assert.equal(r.json.error.code, "OCP_LOCKED");
    assert.ok(codes[0] === 0, `one run succeeds: ${a.stdout} ${b.stdout}`);
    const verify = await runCli(["verify", ...f.args]);
    assert.equal(verify.code, 0, verify.stdout);
    const waited = await Promise.all([runCli(["revert", "--wait", "60", ...f.args]), runCli(["apply", "--wait", "60", ...f.args])]);
    for (const r of waited) assert.equal(r.code, 0, r.stdout + r.stderr);
    const status = await runCli(["status", ...f.args]);
    assert.ok(["stock", "patched"].includes(status.json.state), status.stdout);
  });

  test("CRLF bundles are patched and restored byte for byte", async () => {
    const f = await fixture("crlf");
    scratches.push(f.scratch);
    await rewrite(path.join(f.root, HANDLER), (t) => t.replace(/\n/g, "\r\n"));
    const tree = await treeHash(f.root);
    const applied = await runCli(["apply", ...f.args]);
    assert.equal(applied.code, 0, applied.stdout);
    assert.equal((await runCli(["verify", ...f.args])).code, 0);
    assert.equal((await runCli(["revert", ...f.args])).code, 0);
    assert.equal(await treeHash(f.root), tree);
  });
});

function spawnStatus(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
    return { status: 0, stdout, stderr: "" };
  } catch (error) {
    const e = error as { status: number | null; stdout: string; stderr: string };
    return { status: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

async function findManifest(state: string): Promise<string> {
  const installs = await fs.readdir(path.join(state, "installs"));
  return path.join(state, "installs", installs[0]!, "manifest.json");
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) out.push(path.join(entry.parentPath ?? (entry as any).path, entry.name));
  return out.sort();
}

