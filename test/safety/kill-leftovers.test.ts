import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { runCli } from "../support/cli.js";
import { treeHash } from "../support/packages.js";
import { setup, strayFiles } from "./helpers.js";
import { runCliKilledAt, straceUnavailableReason } from "./strace.js";

const UNLINK = ["unlink", "unlinkat"];
const CHMOD = ["chmod", "fchmodat", "fchmod"];

describe("a kill leaves nothing the next run does not remove (issue 19, findings 5 and 6)", { skip: straceUnavailableReason() }, () => {
  test("killed at the write probe's removal: the next apply and revert end pristine, no probe left", { timeout: 300_000 }, async () => {
    const s = await setup("kill-probe");
    const stock = await treeHash(s.root);
    // The first removal apply makes is its write probe's (nothing else is removed before it).
    const killed = await runCliKilledAt(["apply", ...s.args], UNLINK, 1);
    assert.ok(killed.killed, killed.stdout + killed.stderr);

    const again = await runCli(["apply", ...s.args]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal((await runCli(["verify", ...s.args, "--no-self-test"])).code, 0);
    const reverted = await runCli(["revert", ...s.args]);
    assert.equal(reverted.code, 0, reverted.stdout + reverted.stderr);
    assert.deepEqual(await strayFiles(s.root), [], "no probe or temp left in the package");
    assert.equal(await treeHash(s.root), stock, "revert returns to the pristine tree");
  });

  test("killed inside the rollback of an earlier killed apply: no copy of an original left in dist/", { timeout: 300_000 }, async () => {
    const s = await setup("kill-rollback");
    const stock = await treeHash(s.root);
    const first = await runCli(["apply", ...s.args], { OPENCLAW_PATCH_FAILPOINT: "after-rename:1" });
    assert.notEqual(first.code, 0, "the first apply is killed after its first rename");
    // The next apply starts by rolling that back; its first chmod is the restoring temp's.
    const second = await runCliKilledAt(["apply", ...s.args], CHMOD, 1);
    assert.ok(second.killed, second.stdout + second.stderr);

    const third = await runCli(["apply", ...s.args]);
    assert.equal(third.code, 0, third.stdout + third.stderr);
    assert.equal(third.json.recovery?.outcome, "rolled-back");
    assert.equal((await runCli(["verify", ...s.args, "--no-self-test"])).code, 0);
    assert.deepEqual(await strayFiles(path.join(s.root, "dist")), [], "no temp left in dist/");
    assert.equal((await runCli(["revert", ...s.args])).code, 0);
    assert.equal(await treeHash(s.root), stock, "revert returns to the pristine tree");
  });
});
