import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { runCli } from "../support/cli.js";
import { installDirOf, setup } from "./helpers.js";

describe("the state folder is never written through a link (issue 19, finding 2)", () => {
  test("a symlink planted at manifest.json.prev is replaced, its target untouched", { timeout: 180_000 }, async () => {
    const s = await setup("link-prev");
    const victim = path.join(s.scratch, "victim.txt");
    await fs.writeFile(victim, "outside the package and the state folder\n", { mode: 0o644 });
    const installDir = installDirOf(s.state, s.root);
    await fs.mkdir(installDir, { recursive: true });
    // A first record, so each later record write keeps the previous one as manifest.json.prev.
    assert.equal((await runCli(["apply", ...s.args])).code, 0);
    await fs.rm(path.join(installDir, "manifest.json.prev"), { force: true });
    await fs.symlink(victim, path.join(installDir, "manifest.json.prev"));

    const r = await runCli(["apply", ...s.args, "--heartbeat-ms", "25000"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(await fs.readFile(victim, "utf8"), "outside the package and the state folder\n", "the link's target keeps its bytes");
    assert.equal((await fs.stat(victim)).mode & 0o777, 0o644, "and its mode");
    const prev = await fs.lstat(path.join(installDir, "manifest.json.prev"));
    assert.ok(prev.isFile() && !prev.isSymbolicLink(), "the link was replaced by the previous record");
  });
});
