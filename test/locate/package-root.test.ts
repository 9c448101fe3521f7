import assert from "node:assert/strict";
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { isOcpError, type OcpError } from "../../src/core/diagnostics.js";
import { locateDir, resolvePackageRoot } from "../../src/locate/index.js";
import { writeFakeInstall } from "./helpers/fake-install.js";

let tmp: string;

before(async () => {
  tmp = await realpath(await mkdtemp(path.join(os.tmpdir(), "ocp-locate-root-")));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<OcpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isOcpError(error), `expected OcpError, got ${String(error)}`);
    assert.equal(error.diagnostic.code, code);
    assert.ok(error.diagnostic.remedy.length > 0);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe("resolvePackageRoot", () => {
  it("accepts the package root itself", async () => {
    const root = await writeFakeInstall(path.join(tmp, "direct", "openclaw"), { version: "2026.3.24" });
    assert.equal(await resolvePackageRoot(root), root);
  });

  it("walks up from a nested folder, skipping the bundled dependencies' own package.json", async () => {
    const root = await writeFakeInstall(path.join(tmp, "nested", "openclaw"), { version: "2026.3.24" });
    const dependency = path.join(root, "dist", "extensions", "discord", "node_modules", "bun-types");
    await mkdir(path.join(dependency, "docs"), { recursive: true });
    await writeFile(path.join(dependency, "package.json"), JSON.stringify({ name: "bun-types", version: "1.0.0" }));
    assert.equal(await resolvePackageRoot(path.join(dependency, "docs")), root);
    assert.equal(await resolvePackageRoot(path.join(root, "dist")), root);
  });

  it("accepts a file inside the package", async () => {
    const root = await writeFakeInstall(path.join(tmp, "file", "openclaw"), { version: "2026.3.24" });
    assert.equal(await resolvePackageRoot(path.join(root, "dist", "index.js")), root);
  });

  it("accepts an npm prefix or a folder holding node_modules/openclaw", async () => {
    const prefix = path.join(tmp, "prefix");
    const root = await writeFakeInstall(path.join(prefix, "lib", "node_modules", "openclaw"), { version: "2026.4.5" });
    assert.equal(await resolvePackageRoot(prefix), root);
    assert.equal(await resolvePackageRoot(path.join(prefix, "lib")), root);
  });

  it("refuses another package and names it in the remedy", async () => {
    const other = path.join(tmp, "other");
    await mkdir(path.join(other, "src"), { recursive: true });
    await writeFile(path.join(other, "package.json"), JSON.stringify({ name: "foo", version: "1.0.0" }));
    const error = await rejectsWith(resolvePackageRoot(path.join(other, "src")), "OCP_NOT_OPENCLAW");
    assert.match(error.diagnostic.remedy, /names 'foo'/);
    assert.equal(error.diagnostic.details?.reason, "package");
  });

  it("refuses a folder with no package.json above it", async () => {
    const bare = path.join(tmp, "bare", "deeper");
    await mkdir(bare, { recursive: true });
    const error = await rejectsWith(resolvePackageRoot(bare), "OCP_NOT_OPENCLAW");
    // os.tmpdir() may itself sit below some package.json on a developer machine; only the code is certain there.
    if (error.diagnostic.details?.reason === "no-package-json") assert.match(error.diagnostic.remedy, /no package\.json above/);
  });

  it("refuses a corrupt package.json and says so", async () => {
    const broken = path.join(tmp, "broken");
    await mkdir(broken, { recursive: true });
    await writeFile(path.join(broken, "package.json"), "{ name: openclaw");
    const error = await rejectsWith(resolvePackageRoot(broken), "OCP_NOT_OPENCLAW");
    assert.match(error.diagnostic.remedy, /not valid JSON/);
  });

  it("refuses a path that does not exist", async () => {
    const error = await rejectsWith(resolvePackageRoot(path.join(tmp, "nowhere")), "OCP_NOT_OPENCLAW");
    assert.equal(error.diagnostic.details?.reason, "missing");
  });
});

describe("locateDir", () => {
  it("describes the install found from --dir without spawning anything", async () => {
    const root = await writeFakeInstall(path.join(tmp, "real", "openclaw"), { version: "2026.6.10" });
    const link = path.join(tmp, "linked-openclaw");
    await import("node:fs/promises").then((fs) => fs.symlink(root, link));
    const { install, diagnostics } = await locateDir(path.join(link, "dist"));
    assert.deepEqual(diagnostics, []);
    assert.equal(install.root, link);
    assert.equal(install.realRoot, root);
    assert.equal(install.version, "2026.6.10");
    assert.equal(install.versionSource, "build-info");
    assert.deepEqual(install.foundBy, [`dir:${path.join(link, "dist")}`]);
  });
});
