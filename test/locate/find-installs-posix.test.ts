import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { ProcessRunner } from "../../src/core/run-process.js";
import { findInstalls, nodeFs, type LocateEnv } from "../../src/locate/index.js";
import { writeFakeInstall } from "./helpers/fake-install.js";
import { fixture, xmlEscape } from "./helpers/fixtures.js";

let tmp: string;

before(async () => {
  tmp = await realpath(await mkdtemp(path.join(os.tmpdir(), "ocp-locate-posix-")));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function writeExecutable(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  await chmod(file, 0o755);
}

async function link(target: string, file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await symlink(target, file);
}

interface FakeEnvOptions {
  platform: NodeJS.Platform;
  home: string;
  pathDirs: string[];
  roots?: Partial<Record<"npm" | "pnpm", string>>;
}

function fakeEnv({ platform, home, pathDirs, roots = {} }: FakeEnvOptions): { env: LocateEnv; calls: string[] } {
  const calls: string[] = [];
  const run: ProcessRunner = async ({ argv }) => {
    calls.push(argv.join(" "));
    const root = roots[argv[0] as "npm" | "pnpm"];
    return root === undefined ? { code: null, stdout: "", stderr: "", startError: "ENOENT" } : { code: 0, stdout: `${root}\n`, stderr: "" };
  };
  const env: LocateEnv = {
    platform,
    env: { PATH: pathDirs.join(":"), HOME: home },
    homedir: home,
    path: path.posix,
    fs: nodeFs,
    run,
  };
  return { env, calls };
}

describe("findInstalls on Linux", () => {
  let home: string;
  let npmRoot: string;
  let installerRoot: string;
  let pnpmLink: string;
  let pnpmReal: string;
  let workRoot: string;
  let result: Awaited<ReturnType<typeof findInstalls>>;
  let calls: string[];

  before(async () => {
    const base = path.join(tmp, "linux");
    home = path.join(base, "home", "op");
    const usr = path.join(base, "usr");

    // npm global install, run through the bin symlink npm makes on POSIX.
    npmRoot = await writeFakeInstall(path.join(usr, "lib", "node_modules", "openclaw"), { version: "2026.3.24" });
    await link("../lib/node_modules/openclaw/openclaw.mjs", path.join(usr, "bin", "openclaw"));

    // An npm-style sh shim whose node_modules/openclaw is a symlink to the same package.
    const shimDir = path.join(base, "shims");
    await writeExecutable(path.join(shimDir, "openclaw"), fixture("installs/npm-shim.sh"));
    await link(npmRoot, path.join(shimDir, "node_modules", "openclaw"));

    // The official installer: private Node under ~/.openclaw/tools, wrapper in ~/.openclaw/bin.
    const prefix = path.join(home, ".openclaw");
    installerRoot = await writeFakeInstall(path.join(prefix, "tools", "node-v24.16.0", "lib", "node_modules", "openclaw"), { version: "2026.9.6" });
    await link("node-v24.16.0", path.join(prefix, "tools", "node"));
    await writeExecutable(path.join(prefix, "bin", "openclaw"), fixture("installs/installer-wrapper.sh", { PREFIX: prefix }));

    // pnpm: a shim in PNPM_HOME, global/5/node_modules/openclaw a symlink into the store.
    const pnpmHome = path.join(home, ".local", "share", "pnpm");
    const store = path.join(pnpmHome, "global", "5", ".pnpm");
    pnpmReal = await writeFakeInstall(path.join(store, "openclaw@2026.8.2", "node_modules", "openclaw"), { version: "2026.8.2" });
    pnpmLink = path.join(pnpmHome, "global", "5", "node_modules", "openclaw");
    await link(pnpmReal, pnpmLink);
    await writeExecutable(path.join(pnpmHome, "openclaw"), fixture("installs/pnpm-shim.sh", { STORE: store, VERSION: "2026.8.2" }));

    // A profile gateway run through a wrapper from a folder with a space, known only to systemd.
    workRoot = await writeFakeInstall(path.join(base, "opt", "Open Claw", "openclaw"), { version: "2026.7.35" });
    await writeExecutable(path.join(home, ".local", "bin", "openclaw-wrapper"), '#!/bin/sh\nexec "$@"\n');

    const units = path.join(home, ".config", "systemd", "user");
    await mkdir(units, { recursive: true });
    await writeFile(path.join(units, "openclaw-gateway.service"), fixture("services/openclaw-gateway.service", { ROOT: npmRoot, HOME: home }));
    await writeFile(path.join(units, "openclaw-gateway-work.service"), fixture("services/openclaw-gateway-work.service", { ROOT: workRoot, HOME: home }));
    // Left behind by an uninstall: points at a package that is gone.
    await writeFile(path.join(units, "clawdbot-gateway.service"), "[Service]\nExecStart=/usr/bin/node /gone/openclaw/dist/index.js gateway\n");
    // Not a gateway unit; its target must not show up.
    const decoy = await writeFakeInstall(path.join(base, "decoy", "openclaw"), { version: "2026.1.29" });
    await writeFile(path.join(units, "openclaw-node.service"), `[Service]\nExecStart=/usr/bin/node ${decoy}/dist/index.js node\n`);

    const pathDirs = [path.join(usr, "bin"), shimDir, path.join(prefix, "bin"), pnpmHome, path.join(base, "missing")];
    const fake = fakeEnv({
      platform: "linux",
      home,
      pathDirs,
      roots: { npm: path.join(usr, "lib", "node_modules"), pnpm: path.join(pnpmHome, "global", "5", "node_modules") },
    });
    calls = fake.calls;
    result = await findInstalls(fake.env);
  });

  it("lists each install once, in probe order", () => {
    assert.deepEqual(
      result.installs.map((i) => [i.realRoot, i.version]),
      [
        [npmRoot, "2026.3.24"],
        [installerRoot, "2026.9.6"],
        [pnpmReal, "2026.8.2"],
        [workRoot, "2026.7.35"],
      ],
    );
  });

  it("records every source that found an install", () => {
    const [npm, installer, pnpm] = result.installs;
    assert.deepEqual(npm?.foundBy, [
      `path:${path.join(tmp, "linux", "usr", "bin", "openclaw")}`,
      `path:${path.join(tmp, "linux", "shims", "openclaw")}`,
      `npm-root:${path.join(tmp, "linux", "usr", "lib", "node_modules")}`,
      `systemd:${path.join(home, ".config", "systemd", "user", "openclaw-gateway.service")}`,
    ]);
    assert.deepEqual(installer?.foundBy, [
      `path:${path.join(home, ".openclaw", "bin", "openclaw")}`,
      `openclaw-tools:${path.join(home, ".openclaw", "tools")}`,
    ]);
    assert.equal(pnpm?.root, pnpmLink, "root keeps the path as found, realRoot resolves it");
    assert.deepEqual(pnpm?.foundBy.map((f) => f.split(":")[0]), ["path", "pnpm-root"]);
  });

  it("attaches the systemd unit that runs an install", () => {
    const [npm, installer, , work] = result.installs;
    assert.deepEqual(npm?.service, {
      kind: "systemd",
      file: path.join(home, ".config", "systemd", "user", "openclaw-gateway.service"),
      unitName: "openclaw-gateway.service",
    });
    assert.equal(installer?.service, undefined);
    assert.equal(work?.service?.unitName, "openclaw-gateway-work.service");
    assert.equal(work?.versionSource, "build-info");
  });

  it("warns about a unit whose package is gone, and nothing else", () => {
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.severity]),
      [["OCP_SERVICE_TARGET_MISSING", "warning"]],
    );
    assert.match(result.diagnostics[0]?.message ?? "", /clawdbot-gateway\.service/);
  });

  it("asks npm and pnpm for their global roots", () => {
    assert.deepEqual([...calls].sort(), ["npm root -g", "pnpm root -g"]);
  });
});

describe("findInstalls edge cases", () => {
  it("returns no installs and an info diagnostic when nothing is there", async () => {
    const home = path.join(tmp, "empty-home");
    await mkdir(home, { recursive: true });
    const { env } = fakeEnv({ platform: "linux", home, pathDirs: [] });
    const result = await findInstalls(env);
    assert.deepEqual(result.installs, []);
    assert.deepEqual(result.diagnostics.map((d) => [d.code, d.severity]), [["OCP_NO_INSTALL", "info"]]);
    assert.match(result.diagnostics[0]?.remedy ?? "", /--dir/);
  });

  it("warns about an openclaw on PATH that is not OpenClaw, and about a stale shim", async () => {
    const base = path.join(tmp, "odd-path");
    await writeExecutable(path.join(base, "a", "openclaw"), "#!/bin/sh\necho 'some other tool'\n");
    await writeExecutable(path.join(base, "b", "openclaw"), fixture("installs/npm-shim.sh"));
    // A binary launcher cannot be judged and is passed over in silence.
    await writeExecutable(path.join(base, "c", "openclaw"), "\u007fELF\u0000\u0002binary");
    const home = path.join(base, "home");
    await mkdir(home, { recursive: true });
    const { env } = fakeEnv({ platform: "linux", home, pathDirs: [path.join(base, "a"), path.join(base, "b"), path.join(base, "c")] });
    const result = await findInstalls(env);
    assert.deepEqual(result.installs, []);
    assert.deepEqual(result.diagnostics.map((d) => d.code), ["OCP_SHIM_UNRECOGNIZED", "OCP_SHIM_UNRECOGNIZED", "OCP_NO_INSTALL"]);
    assert.match(result.diagnostics[1]?.message ?? "", /node_modules\/openclaw\/openclaw\.mjs/);
  });

  it("finds bun's global install and follows a systemd drop-in override", async () => {
    const home = path.join(tmp, "bun-home");
    const bunRoot = await writeFakeInstall(path.join(home, ".bun", "install", "global", "node_modules", "openclaw"), { version: "2026.4.26" });
    const npmRoot = await writeFakeInstall(path.join(home, ".npm-global", "lib", "node_modules", "openclaw"), { version: "2026.5.2" });
    const units = path.join(home, ".config", "systemd", "user");
    await mkdir(path.join(units, "openclaw-gateway-work.service.d"), { recursive: true });
    await writeFile(path.join(units, "openclaw-gateway-work.service"), fixture("services/openclaw-gateway-work.service", { ROOT: "/nowhere", HOME: home }));
    await writeFile(
      path.join(units, "openclaw-gateway-work.service.d", "override.conf"),
      fixture("services/openclaw-gateway-work.service.d/override.conf", { ROOT_UNDER_HOME: ".npm-global/lib/node_modules/openclaw" }),
    );
    const { env } = fakeEnv({ platform: "linux", home, pathDirs: [] });
    const result = await findInstalls(env);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.installs.map((i) => [i.root, i.foundBy[0]?.split(":")[0]]), [
      [bunRoot, "bun-global"],
      [npmRoot, "systemd"],
    ]);
  });
});

describe("findInstalls on macOS", () => {
  it("reads LaunchAgents, including the 2026.9 env-wrapper layout, and skips the node-host job", async () => {
    const base = path.join(tmp, "darwin");
    const home = path.join(base, "Users", "op");
    const brewRoot = await writeFakeInstall(path.join(base, "opt", "homebrew", "lib", "node_modules", "openclaw"), { version: "2026.3.24" });
    const odd = await writeFakeInstall(path.join(base, "R&D <tools>", "openclaw"), { version: "2026.9.6" });
    const decoy = await writeFakeInstall(path.join(base, "decoy", "openclaw"), { version: "2026.1.29" });
    const agents = path.join(home, "Library", "LaunchAgents");
    await mkdir(agents, { recursive: true });
    await writeFile(path.join(agents, "ai.openclaw.gateway.plist"), fixture("services/ai.openclaw.gateway.plist", { ROOT: brewRoot, HOME: home }));
    await writeFile(path.join(agents, "ai.openclaw.work.plist"), fixture("services/ai.openclaw.work.plist", { ROOT_XML: xmlEscape(odd), HOME: home }));
    await writeFile(
      path.join(agents, "ai.openclaw.node.plist"),
      fixture("services/ai.openclaw.gateway.plist", { ROOT: decoy, HOME: home }).replace("ai.openclaw.gateway", "ai.openclaw.node"),
    );
    const { env } = fakeEnv({ platform: "darwin", home, pathDirs: [] });
    const result = await findInstalls(env);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.installs.map((i) => [i.root, i.service?.label, i.version]),
      [
        [brewRoot, "ai.openclaw.gateway", "2026.3.24"],
        [odd, "ai.openclaw.work", "2026.9.6"],
      ],
    );
    assert.equal(result.installs[1]?.service?.kind, "launchd");
  });
});
