import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { runCli } from "../support/cli.js";
import { treeHash } from "../support/packages.js";
import { installDirOf, setup } from "./helpers.js";

const sha = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** A folder outside the package with one file, and dist/ext inside the package linking to it. */
async function plantOutsideFolder(scratch: string, root: string): Promise<{ outside: string; file: string; text: string }> {
  const outside = path.join(scratch, "outside");
  await fs.mkdir(outside);
  const text = "belongs to someone else\n";
  const file = path.join(outside, "a.txt");
  await fs.writeFile(file, text);
  await fs.symlink(outside, path.join(root, "dist", "ext"));
  return { outside, file, text };
}

describe("no write outside the package through a symlinked folder (issue 19, finding 1)", () => {
  test("a manifest entry under a linked folder: revert refuses, writes nothing", { timeout: 180_000 }, async () => {
    const s = await setup("escape-manifest");
    assert.equal((await runCli(["apply", ...s.args])).code, 0);
    const patched = await treeHash(s.root);
    const { file, text } = await plantOutsideFolder(s.scratch, s.root);
    const manifestFile = path.join(installDirOf(s.state, s.root), "manifest.json");
    const manifest = JSON.parse(await fs.readFile(manifestFile, "utf8"));
    // As if apply had added dist/ext/a.txt: revert would remove it, and the link sends that outside.
    manifest.files.push({ path: "dist/ext/a.txt", before: null, after: { sha256: sha(text), size: text.length, mode: 0o644, mtimeMs: 0 }, patches: ["runtime"] });
    await fs.writeFile(manifestFile, JSON.stringify(manifest, null, 2));
    const stateBefore = await treeHash(s.state);

    const r = await runCli(["revert", ...s.args]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.json.error.code, "OCP_MANIFEST_UNSAFE");
    assert.ok(r.json.error.remedy.length > 0);
    assert.equal(await fs.readFile(file, "utf8"), text, "the outside file is still there");
    await fs.rm(path.join(s.root, "dist", "ext"));
    assert.equal(await treeHash(s.root), patched, "the package is as it was");
    assert.equal(await treeHash(s.state), stateBefore, "the state folder is as it was");
  });

  test("a journal entry under a linked folder: recovery refuses, writes nothing", { timeout: 180_000 }, async () => {
    const s = await setup("escape-journal");
    const stock = await treeHash(s.root);
    const { file, text } = await plantOutsideFolder(s.scratch, s.root);
    const installDir = installDirOf(s.state, s.root);
    await fs.mkdir(installDir, { recursive: true });
    const pkg = await fs.readFile(path.join(s.root, "package.json"));
    // A killed apply that "added" dist/ext/a.txt and had not yet replaced package.json: rolling back
    // would remove a.txt, outside the package.
    const journal = {
      schema: 1,
      op: "apply",
      root: s.root,
      pid: 999_999,
      startedAt: new Date().toISOString(),
      phase: "committing",
      steps: [
        { path: "dist/ext/a.txt", from: null, to: sha(text), temp: null, mode: null },
        { path: "package.json", from: sha(pkg), to: "0".repeat(64), temp: null, mode: null },
      ],
      manifestAfter: null,
    };
    await fs.writeFile(path.join(installDir, "journal.json"), JSON.stringify(journal));

    const r = await runCli(["apply", ...s.args]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.json.error.code, "OCP_JOURNAL_UNSAFE");
    assert.equal(await fs.readFile(file, "utf8"), text, "the outside file is still there");
    await fs.rm(path.join(s.root, "dist", "ext"));
    assert.equal(await treeHash(s.root), stock, "the package is as it was");
    assert.ok(await fs.stat(path.join(installDir, "journal.json")), "the journal is kept for the operator to judge");
  });
});
