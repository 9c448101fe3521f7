import { test } from "node:test";
import assert from "node:assert/strict";
import { renameWithRetry } from "../../src/core/fs-safe.js";
import { isOcpError } from "../../src/core/diagnostics.js";

function busy(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: resource busy`), { code });
}

test("Windows: a rename held by another process is retried with backoff", async () => {
  let calls = 0;
  await renameWithRetry("a", "b", {
    platform: "win32",
    baseDelayMs: 1,
    renameFn: async () => {
      calls++;
      if (calls < 3) throw busy(calls === 1 ? "EBUSY" : "EPERM");
    },
  });
  assert.equal(calls, 3);
});

test("Windows: a rename that stays locked ends in OCP_FILE_BUSY with a remedy", async () => {
  let calls = 0;
  await assert.rejects(
    renameWithRetry("a", "C:\\openclaw\\dist\\x.js", { platform: "win32", attempts: 4, baseDelayMs: 1, renameFn: async () => { calls++; throw busy("EBUSY"); } }),
    (error) => isOcpError(error) && error.diagnostic.code === "OCP_FILE_BUSY" && /antivirus/.test(error.diagnostic.remedy),
  );
  assert.equal(calls, 4);
});

test("POSIX: a failed rename is not retried", async () => {
  let calls = 0;
  await assert.rejects(renameWithRetry("a", "b", { platform: "linux", renameFn: async () => { calls++; throw busy("EACCES"); } }), /EACCES/);
  assert.equal(calls, 1);
});
