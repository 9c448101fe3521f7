import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { ensureRelease, makeScratch, scratchCopy } from "../support/packages.js";
import { CLI, runCli } from "../support/cli.js";

const scratches: string[] = [];
after(async () => {
  for (const dir of scratches) await fs.rm(dir, { recursive: true, force: true });
});

test("watch re-patches after the package folder is replaced by an upgrade", { timeout: 180_000 }, async () => {
  const scratch = await makeScratch("watch");
  scratches.push(scratch);
  const root = await scratchCopy("2026.1.29", scratch);
  const state = path.join(scratch, "state");
  const args = ["--dir", root, "--state-dir", state];
  const watcher = spawn(process.execPath, [CLI, "watch", ...args, "--interval", "1", "--max-checks", "40"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  watcher.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => watcher.on("close", resolve));
  try {
    await waitFor(async () => (await runCli(["status", ...args, "--json"])).json?.state === "patched", 30_000);

    // What npm does on upgrade: the old folder goes, a new one with other hashed files arrives.
    await fs.rm(root, { recursive: true, force: true });
    await fs.cp(await ensureRelease("2026.2.1"), root, { recursive: true });
    await waitFor(async () => {
      const status = (await runCli(["status", ...args, "--json"])).json;
      return status?.version === "2026.2.1" && status?.state === "patched";
    }, 60_000);
    assert.match(stderr, /the install changed; re-applying/);
    assert.equal((await runCli(["verify", ...args])).code, 0);
  } finally {
    watcher.kill("SIGINT");
    assert.equal(await exited, 0, stderr);
  }
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.fail(`condition not met within ${timeoutMs} ms`);
}
