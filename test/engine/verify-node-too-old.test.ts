import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { CLI } from "../support/cli.js";
import { CURRENT_NODE_VERSION, ensureNode } from "../support/node-binary.js";
import { scratchCopy, scratchFolders } from "../support/packages.js";

/** 2026.9.3's server-start chunk uses `using` declarations, which Node 20 cannot parse, pristine or patched. */
const RELEASE = "2026.9.3";
const NODE_20 = "20.19.0";
const scratch = scratchFolders();

interface Run {
  code: number;
  stdout: string;
  json?: any;
}

/** The built CLI under a given Node, with HOME and PATH holding no other Node for verify to find. */
function cliUnder(node: string, args: readonly string[], home: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(node, [CLI, ...args], { env: { ...process.env, HOME: home, PATH: path.dirname(node) }, timeout: 5 * 60_000, maxBuffer: 64 << 20 }, (error, stdout) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      let json: unknown;
      try {
        json = args.includes("--json") ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, json });
    });
  });
}

describe(`verify of ${RELEASE} under Node 20, older than the release's engines`, { skip: process.platform !== "linux" ? "the Node binaries fetched are linux-x64" : false }, () => {
  test("no false failure: the files Node 20 cannot parse are skipped with the Node they need; --node with a Node 24 checks them all; a broken edit still fails", { timeout: 20 * 60_000 }, async () => {
    const [node20, node24] = await Promise.all([ensureNode(NODE_20), ensureNode(CURRENT_NODE_VERSION)]);
    const dir = await scratch("verify-old-node");
    const home = path.join(dir, "home");
    await fs.mkdir(home);
    const root = await scratchCopy(RELEASE, dir);
    const target = ["--dir", root, "--state-dir", path.join(dir, "state")];
    const applied = await cliUnder(node20, ["apply", ...target, "--json"], home);
    assert.equal(applied.code, 0, applied.stdout);

    const verified = await cliUnder(node20, ["verify", ...target, "--json"], home);
    assert.equal(verified.code, 0, verified.stdout);
    assert.equal(verified.json.ok, true);
    assert.equal(verified.json.syntaxNode.version, `v${NODE_20}`);
    assert.equal(verified.json.syntaxNode.satisfiesEngines, false);
    const skipped = verified.json.files.filter((f: any) => f.nodeCheck === "skipped");
    assert.ok(skipped.some((f: any) => /server-start-/.test(f.path)), JSON.stringify(verified.json.files));
    for (const f of skipped) assert.equal(f.nodeCheckSkipped, "needs Node >= 24.16");
    for (const f of verified.json.files.filter((x: any) => x.nodeCheck !== "skipped")) assert.equal(f.nodeCheck, "ok", f.path);
    const warning = verified.json.diagnostics.find((d: any) => d.code === "OCP_SYNTAX_CHECK_SKIPPED");
    assert.equal(warning?.severity, "warning");
    assert.match(warning.message, /needs Node >= 24\.16/);
    assert.match(warning.remedy, /--node/);

    const text = await cliUnder(node20, ["verify", ...target], home);
    assert.equal(text.code, 0, text.stdout);
    assert.match(text.stdout, /node --check skipped \(needs Node >= 24\.16\)/);
    assert.match(text.stdout, /verify passed/);
    assert.doesNotMatch(text.stdout, /report this release/);

    const full = await cliUnder(node20, ["verify", ...target, "--node", node24, "--json"], home);
    assert.equal(full.code, 0, full.stdout);
    assert.deepEqual(full.json.files.map((f: any) => f.nodeCheck), full.json.files.map(() => "ok"));
    assert.equal(full.json.syntaxNode.satisfiesEngines, true);

    // An edit that breaks a file its original parses in is ours, and fails under either Node.
    // The copy is hardlinked to the shared cache: replace the file, never write through it.
    const chunk = verified.json.files.find((f: any) => f.nodeCheck === "ok" && f.path.startsWith("dist/"))!.path as string;
    await fs.rm(path.join(root, chunk));
    await fs.writeFile(path.join(root, chunk), "export const broken = ;\n");
    const broken = await cliUnder(node20, ["verify", ...target, "--json"], home);
    assert.equal(broken.code, 1, broken.stdout);
    const entry = broken.json.files.find((f: any) => f.path === chunk);
    assert.equal(entry.nodeCheck, "failed", JSON.stringify(entry));
  });
});
