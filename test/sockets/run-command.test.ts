import { test } from "node:test";
import assert from "node:assert/strict";
import { runCommand } from "../../src/sockets/run-command.js";

test("runCommand reports output, exit status and a missing executable apart", async () => {
  const ok = await runCommand(process.execPath, ["-e", "process.stdout.write('tcp4 x')"]);
  assert.deepEqual(ok, { exitCode: 0, stdout: "tcp4 x", stderr: "", notFound: false });

  const failing = await runCommand(process.execPath, ["-e", "process.stderr.write('no'); process.exit(3)"]);
  assert.deepEqual([failing.exitCode, failing.stderr, failing.notFound], [3, "no", false]);

  const missing = await runCommand("openclaw-patch-no-such-netstat", []);
  assert.deepEqual([missing.exitCode, missing.notFound], [null, true]);
});
