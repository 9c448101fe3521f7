import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runProcess, succeeded } from "../../src/core/run-process.js";

describe("runProcess", () => {
  it("passes arguments and extra environment without a shell, including an empty variable", async () => {
    const outcome = await runProcess(
      {
        argv: [process.execPath, "-e", "process.stdout.write(JSON.stringify([process.argv[1], process.env.OPENCLAW_WRAPPER]))", "a b; echo no"],
        env: { OPENCLAW_WRAPPER: "" },
      },
      { timeoutMs: 10_000 },
    );
    assert.ok(succeeded(outcome));
    assert.deepEqual(JSON.parse(outcome.stdout), ["a b; echo no", ""]);
  });

  it("reports a missing program as ENOENT and a slow one as a timeout", async () => {
    const missing = await runProcess({ argv: ["/nonexistent/openclaw-patch-test"] }, { timeoutMs: 10_000 });
    assert.equal(missing.startError, "ENOENT");
    assert.equal(succeeded(missing), false);
    const slow = await runProcess({ argv: [process.execPath, "-e", "setTimeout(() => {}, 30000)"] }, { timeoutMs: 200 });
    assert.equal(slow.startError, "timeout");
  });

  it("keeps a failing command's exit code and stderr", async () => {
    const failed = await runProcess({ argv: [process.execPath, "-e", "console.error('boom'); process.exit(4)"] }, { timeoutMs: 10_000 });
    assert.equal(failed.code, 4);
    assert.match(failed.stderr, /boom/);
  });
});
