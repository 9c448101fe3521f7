import { test } from "node:test";
import assert from "node:assert/strict";
import { runProcess } from "../../src/core/run-process.js";

const limits = { timeoutMs: 20_000 };

test("runProcess reports output, exit status and a missing executable apart", async () => {
  const ok = await runProcess({ argv: [process.execPath, "-e", "process.stdout.write('tcp4 x')"] }, limits);
  assert.deepEqual(ok, { code: 0, stdout: "tcp4 x", stderr: "" });

  const failing = await runProcess({ argv: [process.execPath, "-e", "process.stderr.write('no'); process.exit(3)"] }, limits);
  assert.deepEqual([failing.code, failing.stderr, failing.startError], [3, "no", undefined]);

  const missing = await runProcess({ argv: ["openclaw-patch-no-such-netstat"] }, limits);
  assert.deepEqual([missing.code, missing.startError], [null, "ENOENT"]);
});
