import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { currentLocateEnv, findInstalls, isEntryPath, resolveLauncher, type LocateEnv } from "../../src/locate/index.js";
import { addFakeInstall } from "./helpers/fake-install.js";
import { MemoryFs } from "./helpers/memory-fs.js";

const posix = path.posix;

const NOT_FOUND = { code: null, stdout: "", stderr: "", startError: "ENOENT" };

function posixEnv(fs: MemoryFs, run: LocateEnv["run"] = async () => NOT_FOUND): LocateEnv {
  return { platform: "linux", env: { PATH: "" }, homedir: "/home/op", path: posix, fs, run };
}

describe("isEntryPath", () => {
  it("recognises the bin and dist entry points only", () => {
    assert.ok(isEntryPath("/x/openclaw/openclaw.mjs", posix));
    assert.ok(isEntryPath("/x/openclaw/dist/index.js", posix));
    assert.ok(isEntryPath("/x/openclaw/dist/entry.mjs", posix));
    assert.ok(!isEntryPath("/x/openclaw/dist/worker/index.js", posix));
    assert.ok(!isEntryPath("dist/index.js", posix), "relative paths say nothing about where the package is");
    assert.ok(!isEntryPath("/x/openclaw/DIST/Index.js", posix));
    assert.ok(isEntryPath("C:\\x\\openclaw\\DIST\\Index.JS", path.win32));
  });
});

describe("resolveLauncher", () => {
  it("follows a wrapper that calls the openclaw launcher, which is a symlink to openclaw.mjs", async () => {
    const fs = new MemoryFs(posix);
    const root = addFakeInstall(fs, posix, "/usr/local/lib/node_modules/openclaw", { version: "2026.5.2" });
    fs.symlink("/usr/local/bin/openclaw", "../lib/node_modules/openclaw/openclaw.mjs");
    fs.file("/home/op/bin/claw-wrapper", '#!/bin/sh\nopenclaw-patch apply --if-needed\nexec /usr/local/bin/openclaw "$@"\n');
    assert.deepEqual(await resolveLauncher("/home/op/bin/claw-wrapper", posixEnv(fs)), { roots: [root], missingEntries: [] });
  });

  it("stops on launchers that call each other", async () => {
    const fs = new MemoryFs(posix);
    fs.file("/a/openclaw", "#!/bin/sh\nexec /b/openclaw\n");
    fs.file("/b/openclaw", "#!/bin/sh\nexec /a/openclaw\n");
    assert.deepEqual(await resolveLauncher("/a/openclaw", posixEnv(fs)), { roots: [], missingEntries: [] });
  });

  it("expands $HOME and ~ in a hand-written wrapper, and skips binaries", async () => {
    const fs = new MemoryFs(posix);
    const root = addFakeInstall(fs, posix, "/home/op/src/openclaw", { version: "2026.9.6" });
    fs.file("/home/op/.openclaw/bin/openclaw", '#!/usr/bin/env bash\nexec node "$HOME/src/openclaw/dist/entry.js" "$@"\n');
    fs.file("/home/op/.local/bin/openclaw", "#!/bin/sh\nexec node ~/src/openclaw/openclaw.mjs \"$@\"\n");
    fs.file("/usr/bin/openclaw", "\u007fELF\u0000\u0000binary");
    const env = posixEnv(fs);
    assert.deepEqual((await resolveLauncher("/home/op/.openclaw/bin/openclaw", env)).roots, [root]);
    assert.deepEqual((await resolveLauncher("/home/op/.local/bin/openclaw", env)).roots, [root]);
    assert.deepEqual((await resolveLauncher("/usr/bin/openclaw", env)).roots, []);
  });
});

describe("probes", () => {
  it("ask npm and pnpm concurrently", async () => {
    const delayMs = 300;
    const run: LocateEnv["run"] = () => new Promise((resolve) => setTimeout(() => resolve(NOT_FOUND), delayMs));
    const started = Date.now();
    await findInstalls(posixEnv(new MemoryFs(posix).dir("/home/op"), run));
    assert.ok(Date.now() - started < delayMs * 1.8, `took ${Date.now() - started} ms`);
  });

  it("currentLocateEnv().run reports exit codes and missing commands", async () => {
    const { run } = currentLocateEnv();
    const limits = { timeoutMs: 4000 };
    assert.deepEqual(await run({ argv: [process.execPath, "-e", "process.stdout.write('/x/lib/node_modules')"] }, limits), { code: 0, stdout: "/x/lib/node_modules", stderr: "" });
    assert.equal((await run({ argv: [process.execPath, "-e", "process.exit(3)"] }, limits)).code, 3);
    assert.equal((await run({ argv: ["ocp-no-such-command-for-tests", "root", "-g"] }, limits)).startError, "ENOENT");
  });
});
