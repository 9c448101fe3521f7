import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { spawnRunner, succeeded } from "../../src/hook/runner.js";

describe("spawnRunner", () => {
  it("passes arguments and extra environment without a shell, including an empty variable", async () => {
    const outcome = await spawnRunner(
      {
        argv: [process.execPath, "-e", "process.stdout.write(JSON.stringify([process.argv[1], process.env.OPENCLAW_WRAPPER]))", "a b; echo no"],
        env: { OPENCLAW_WRAPPER: "" },
        display: "node -e …",
        purpose: "test",
        onFailure: "error",
      },
      10_000,
    );
    assert.ok(succeeded(outcome));
    assert.deepEqual(JSON.parse(outcome.stdout), ["a b; echo no", ""]);
  });

  it("reports a missing program as ENOENT and a slow one as a timeout", async () => {
    const missing = await spawnRunner({ argv: ["/nonexistent/openclaw-patch-test"], display: "x", purpose: "test", onFailure: "warning" }, 10_000);
    assert.equal(missing.startError, "ENOENT");
    assert.equal(succeeded(missing), false);
    const slow = await spawnRunner({ argv: [process.execPath, "-e", "setTimeout(() => {}, 30000)"], display: "x", purpose: "test", onFailure: "warning" }, 200);
    assert.equal(slow.startError, "timeout");
  });

  it("keeps a failing command's exit code and stderr", async () => {
    const failed = await spawnRunner({ argv: [process.execPath, "-e", "console.error('boom'); process.exit(4)"], display: "x", purpose: "test", onFailure: "error" }, 10_000);
    assert.equal(failed.code, 4);
    assert.match(failed.stderr, /boom/);
  });
});
