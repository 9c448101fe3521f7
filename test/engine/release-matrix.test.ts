import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { MATRIX_RELEASES, makeScratch, pristineTreeHash, scratchCopy, treeHash } from "../support/packages.js";
import { runCli } from "../support/cli.js";

const releases = process.env.OCP_MATRIX ? process.env.OCP_MATRIX.split(",") : [...MATRIX_RELEASES];
const snapshotDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../../test/snapshots");

/**
 * The engine on real published releases, one per era: apply, verify, apply again (no change),
 * revert, and a byte-identical tree afterwards. Site locations are compared with JSON snapshots
 * (OCP_UPDATE_SNAPSHOTS=1 rewrites them).
 */
describe("engine on real OpenClaw releases", () => {
  const scratches: string[] = [];
  after(async () => {
    for (const dir of scratches) await fs.rm(dir, { recursive: true, force: true });
  });

  for (const version of releases) {
    test(`${version}: apply, verify, re-apply, revert`, { timeout: 10 * 60_000 }, async () => {
      const scratch = await makeScratch(`matrix-${version}`);
      scratches.push(scratch);
      const root = await scratchCopy(version, scratch);
      const pristine = await pristineTreeHash(version);
      const base = ["--dir", root, "--state-dir", path.join(scratch, "state"), "--json"];

      const applied = await runCli(["apply", ...base]);
      assert.equal(applied.code, 0, applied.stderr + applied.stdout);
      assert.equal(applied.json.outcome, "applied");
      for (const site of applied.json.sites) assert.equal(site.found, site.expected, `${site.site}: ${JSON.stringify(site)}`);
      await compareSnapshot(version, applied.json);

      const verified = await runCli(["verify", ...base]);
      assert.equal(verified.code, 0, verified.stdout + verified.stderr);
      for (const file of verified.json.files) {
        assert.equal(file.parse, "ok", file.path);
        assert.equal(file.nodeCheck, "ok", `${file.path}: ${file.detail ?? ""}`);
        assert.equal(file.hash, "ok", file.path);
      }

      const again = await runCli(["apply", ...base]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.json.outcome, "unchanged");

      const reverted = await runCli(["revert", ...base]);
      assert.equal(reverted.code, 0, reverted.stderr);
      assert.equal(reverted.json.outcome, "reverted");
      assert.equal(await treeHash(root), pristine, "every file under the package is byte-identical after revert");
      assert.equal(await pristineTreeHash(version), pristine);
    });
  }
});

async function compareSnapshot(version: string, result: any): Promise<void> {
  const snapshot = {
    version,
    fixes: result.fixes.map((f: any) => `${f.fix}: ${f.state}`),
    patches: result.patches.map((p: any) => `${p.id}: ${p.state}`),
    sites: Object.fromEntries(result.sites.map((s: any) => [s.site, s.at])),
  };
  const file = path.join(snapshotDir, `release-${version}.json`);
  const text = `${JSON.stringify(snapshot, null, 2)}\n`;
  if (process.env.OCP_UPDATE_SNAPSHOTS === "1") {
    await fs.mkdir(snapshotDir, { recursive: true });
    await fs.writeFile(file, text);
    return;
  }
  const expected = await fs.readFile(file, "utf8").catch(() => undefined);
  if (expected === undefined) {
    await fs.mkdir(snapshotDir, { recursive: true });
    await fs.writeFile(file, text);
    return;
  }
  assert.deepEqual(JSON.parse(text), JSON.parse(expected), `snapshot ${file} (OCP_UPDATE_SNAPSHOTS=1 to accept)`);
}
