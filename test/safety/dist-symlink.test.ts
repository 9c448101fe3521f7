import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { runCli } from "../support/cli.js";
import { treeHash } from "../support/packages.js";
import { setup, strayFiles } from "./helpers.js";

describe("a package whose dist/ is a symlink (issue 19, finding 3)", () => {
  test("apply refuses with OCP_PACKAGE_SYMLINK, exit 3, and writes nothing anywhere", { timeout: 180_000 }, async () => {
    const s = await setup("dist-link");
    const elsewhere = path.join(s.scratch, "elsewhere-dist");
    await fs.rename(path.join(s.root, "dist"), elsewhere);
    await fs.symlink(elsewhere, path.join(s.root, "dist"));
    const before = await treeHash(elsewhere);

    for (const command of ["apply", "revert"]) {
      const r = await runCli([command, ...s.args]);
      if (command === "revert") {
        // Nothing recorded: revert has nothing to do and must not touch the folder either.
        assert.notEqual(r.json?.outcome, "reverted", r.stdout + r.stderr);
        continue;
      }
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.equal(r.json.error.code, "OCP_PACKAGE_SYMLINK");
      assert.match(r.json.error.remedy, /reinstall/);
    }
    assert.equal(await treeHash(elsewhere), before, "the linked folder is as it was");
    assert.deepEqual(await strayFiles(elsewhere), [], "no temp or probe file in it");
    assert.deepEqual(await strayFiles(s.root), []);
    const stateEntries = await fs.readdir(s.state).catch(() => [] as string[]);
    assert.deepEqual(stateEntries.filter((e) => e !== "openclaw-patch.lock"), [], "no backup or record written");
  });
});
