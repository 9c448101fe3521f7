import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { readRelease } from "../../src/locate/index.js";
import { writeFakeInstall } from "./helpers/fake-install.js";

const PKGS = path.join(os.homedir(), ".cache", "openclaw-patch", "pkgs");
const REAL_3_24 = path.join(PKGS, "2026.3.24", "package");

let tmp: string;

before(async () => {
  tmp = await realpath(await mkdtemp(path.join(os.tmpdir(), "ocp-locate-release-")));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("readRelease", () => {
  it("prefers dist/build-info.json and keeps commit and build time", async () => {
    const root = await writeFakeInstall(path.join(tmp, "a"), { version: "2026.4.26" });
    const release = await readRelease(root);
    assert.equal(release.version, "2026.4.26");
    assert.equal(release.versionSource, "build-info");
    assert.equal(release.commit, "0123456789abcdef0123456789abcdef01234567");
    assert.equal(release.builtAt, "2026-03-25T16:56:36.702Z");
    assert.deepEqual(release.diagnostics, []);
  });

  it("falls back to package.json when build-info.json is absent", async () => {
    const root = await writeFakeInstall(path.join(tmp, "b"), { version: "2026.1.29", buildInfo: null });
    const release = await readRelease(root);
    assert.equal(release.version, "2026.1.29");
    assert.equal(release.versionSource, "package.json");
    assert.deepEqual(release.diagnostics, []);
  });

  it("reports corrupt build-info.json as a warning and falls back", async () => {
    const root = await writeFakeInstall(path.join(tmp, "c"), { version: "2026.5.2", buildInfo: '{"version": "2026.5.' });
    const release = await readRelease(root);
    assert.equal(release.version, "2026.5.2");
    assert.equal(release.versionSource, "package.json");
    assert.deepEqual(release.diagnostics.map((d) => [d.code, d.severity]), [["OCP_BUILD_INFO_INVALID", "warning"]]);
  });

  it("warns when build-info and package.json disagree", async () => {
    const root = await writeFakeInstall(path.join(tmp, "d"), { version: "2026.7.35", buildInfo: JSON.stringify({ version: "2026.8.2" }) });
    const release = await readRelease(root);
    assert.equal(release.version, "2026.8.2");
    assert.deepEqual(release.diagnostics.map((d) => d.code), ["OCP_VERSION_MISMATCH"]);
  });

  it("takes package.json's version for a corrected republish whose build-info kept the base version", async () => {
    const buildInfo = JSON.stringify({ version: "2026.3.23", commit: "7ffe7e4822e7e0f8c06d3d00b1e630d07203b877" });
    const root = await writeFakeInstall(path.join(tmp, "e"), { version: "2026.3.23-2", buildInfo });
    const release = await readRelease(root);
    assert.equal(release.version, "2026.3.23-2");
    assert.equal(release.versionSource, "package.json");
    assert.equal(release.commit, "7ffe7e4822e7e0f8c06d3d00b1e630d07203b877");
    assert.deepEqual(release.diagnostics, []);
  });

  it("reads the real 2026.3.24 package", { skip: !existsSync(REAL_3_24) && "no extracted 2026.3.24 package" }, async () => {
    const buildInfo = JSON.parse(await readFile(path.join(REAL_3_24, "dist", "build-info.json"), "utf8")) as { commit: string };
    const release = await readRelease(REAL_3_24);
    assert.equal(release.version, "2026.3.24");
    assert.equal(release.versionSource, "build-info");
    assert.equal(release.commit, buildInfo.commit);
    assert.deepEqual(release.diagnostics, []);
  });

  it("reads every extracted release without diagnostics", { skip: !existsSync(PKGS) && "no extracted packages" }, async () => {
    for (const version of readdirSync(PKGS)) {
      const root = path.join(PKGS, version, "package");
      if (!existsSync(root)) continue;
      const release = await readRelease(root);
      assert.equal(release.version, version, root);
      assert.deepEqual(release.diagnostics, [], root);
    }
  });
});
