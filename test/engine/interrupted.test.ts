import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { makeScratch, scratchCopy, treeHash } from "../support/packages.js";
import { runCli } from "../support/cli.js";

/** 2026.2.1 patches five files plus the runtime: room to be killed between renames. */
const RELEASE = "2026.2.1";

/**
 * Each run is SIGKILLed at a failpoint inside the transaction; the next run must find the install
 * either exactly stock or fully patched and verifiable, never in between.
 */
const KILL_POINTS = ["after-journal", "after-temp:2", "before-rename", "after-rename:1", "after-rename:3", "after-renames"];

const scratches: string[] = [];
after(async () => {
  for (const dir of scratches) await fs.rm(dir, { recursive: true, force: true });
});

describe("a run killed at any point leaves a consistent install", () => {
  for (const op of ["apply", "revert"] as const) {
    for (const point of KILL_POINTS) {
      test(`${op} killed at ${point}`, { timeout: 180_000 }, async () => {
        const scratch = await makeScratch(`kill-${op}-${point.replace(":", "-")}`);
        scratches.push(scratch);
        const root = await scratchCopy(RELEASE, scratch);
        const args = ["--dir", root, "--state-dir", path.join(scratch, "state"), "--json"];
        const stock = await treeHash(root);
        if (op === "revert") assert.equal((await runCli(["apply", ...args])).code, 0);

        const killed = await runCli([op, ...args], { OPENCLAW_PATCH_FAILPOINT: point });
        assert.notEqual(killed.code, 0, `the failpoint ${point} must stop the run`);

        const status = await runCli(["status", ...args]);
        assert.equal(status.code, 0, status.stdout + status.stderr);
        const settle = await runCli([op, ...args]);
        assert.equal(settle.code, 0, settle.stdout + settle.stderr);
        if (settle.json.recovery) assert.ok(["rolled-back", "completed"].includes(settle.json.recovery.outcome));

        if (op === "apply") {
          const verify = await runCli(["verify", ...args]);
          assert.equal(verify.code, 0, verify.stdout);
          assert.equal((await runCli(["revert", ...args])).code, 0);
        } else {
          assert.equal(await treeHash(root), stock, "revert completes to the pristine tree");
        }
        assert.equal(await treeHash(root), stock);
        const leftovers = (await fs.readdir(path.join(root, "dist"), { recursive: true })).filter((f) => String(f).includes(".ocp-"));
        assert.deepEqual(leftovers, [], "no temp files left behind");
      });
    }
  }
});
