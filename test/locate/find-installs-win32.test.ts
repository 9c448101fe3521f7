import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { findInstalls, resolvePackageRoot, type LocateEnv } from "../../src/locate/index.js";
import { addFakeInstall } from "./helpers/fake-install.js";
import { fixture } from "./helpers/fixtures.js";
import { MemoryFs } from "./helpers/memory-fs.js";

const win = path.win32;
const HOME = "C:\\Users\\op";
const APPDATA = `${HOME}\\AppData\\Roaming`;
const NPM_BIN = `${APPDATA}\\npm`;
const NPM_ROOT = `${NPM_BIN}\\node_modules\\openclaw`;
const PNPM_HOME = `${HOME}\\AppData\\Local\\pnpm`;
const PATHEXT = ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC";

function windowsEnv(fs: MemoryFs, vars: Record<string, string>, roots: Partial<Record<string, string>> = {}): LocateEnv {
  return {
    platform: "win32",
    env: { USERPROFILE: HOME, APPDATA, PATHEXT, ...vars },
    homedir: HOME,
    path: win,
    fs,
    run: async ({ argv }) => {
      const root = roots[argv[0] ?? ""];
      return root === undefined ? { code: null, stdout: "", stderr: "", startError: "ENOENT" } : { code: 0, stdout: `${root}\r\n`, stderr: "" };
    },
  };
}

describe("findInstalls on Windows", () => {
  it("finds npm, pnpm and Scheduled Task installs through shims and gateway.cmd", async () => {
    const fs = new MemoryFs(win);
    addFakeInstall(fs, win, NPM_ROOT, { version: "2026.3.24" });
    fs.file(`${NPM_BIN}\\openclaw.cmd`, fixture("installs/npm-shim.cmd"));
    fs.file(`${NPM_BIN}\\openclaw.ps1`, fixture("installs/npm-shim.ps1"));
    fs.file(`${NPM_BIN}\\openclaw`, fixture("installs/npm-shim.sh"));

    const store = `${PNPM_HOME}\\global\\5\\.pnpm`;
    const pnpmReal = addFakeInstall(fs, win, `${store}\\openclaw@2026.8.2\\node_modules\\openclaw`, { version: "2026.8.2" });
    fs.symlink(`${PNPM_HOME}\\global\\5\\node_modules\\openclaw`, pnpmReal);
    fs.file(`${PNPM_HOME}\\openclaw.cmd`, fixture("installs/pnpm-shim.cmd", { STORE: store }));

    const workRoot = addFakeInstall(fs, win, "D:\\Open Claw\\openclaw", { version: "2026.9.6" });
    // OpenClaw wrote this path in another case than the folder has on disk; it is the same install.
    fs.file(`${HOME}\\.openclaw\\gateway.cmd`, fixture("services/gateway.cmd", { ROOT: NPM_ROOT.toLowerCase(), HOME }));
    fs.file(`${HOME}\\.openclaw-work\\gateway.cmd`, fixture("services/gateway-9x.cmd", { ROOT: workRoot, HOME }));
    fs.dir(`${HOME}\\.openclaw-empty`);

    const env = windowsEnv(
      fs,
      { Path: `C:\\WINDOWS\\system32;"C:\\Program Files\\nodejs\\";${NPM_BIN};${PNPM_HOME};;${NPM_BIN}\\` },
      { npm: `${NPM_BIN}\\node_modules` },
    );
    const result = await findInstalls(env);

    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.installs.map((i) => [i.root, i.realRoot, i.version]),
      [
        [NPM_ROOT, NPM_ROOT, "2026.3.24"],
        [`${PNPM_HOME}\\global\\5\\node_modules\\openclaw`, pnpmReal, "2026.8.2"],
        [workRoot, workRoot, "2026.9.6"],
      ],
    );
    const [npm, pnpm, work] = result.installs;
    assert.deepEqual(npm?.foundBy, [
      `path:${NPM_BIN}\\openclaw.cmd`,
      `npm-root:${NPM_BIN}\\node_modules`,
      `appdata-npm:${NPM_BIN}\\node_modules`,
      `schtasks:${HOME}\\.openclaw\\gateway.cmd`,
    ]);
    assert.deepEqual(npm?.service, { kind: "schtasks", file: `${HOME}\\.openclaw\\gateway.cmd`, taskName: "OpenClaw Gateway" });
    assert.deepEqual(pnpm?.foundBy, [`path:${PNPM_HOME}\\openclaw.cmd`]);
    assert.deepEqual(work?.service, { kind: "schtasks", file: `${HOME}\\.openclaw-work\\gateway.cmd`, taskName: "OpenClaw Gateway (work)" });
  });

  it("reads the PowerShell shim when it is the only one, and OPENCLAW_TASK_SCRIPT", async () => {
    const fs = new MemoryFs(win);
    const binDir = "E:\\node\\global";
    const root = addFakeInstall(fs, win, `${binDir}\\node_modules\\openclaw`, { version: "2026.6.10" });
    fs.file(`${binDir}\\openclaw.ps1`, fixture("installs/npm-shim.ps1"));
    const taskRoot = addFakeInstall(fs, win, "F:\\svc\\openclaw", { version: "2026.4.5" });
    fs.file("F:\\svc\\task.cmd", fixture("services/gateway.cmd", { ROOT: taskRoot, HOME }));

    const env = windowsEnv(fs, { PATH: binDir, OPENCLAW_TASK_SCRIPT: "F:\\svc\\task.cmd", OPENCLAW_WINDOWS_TASK_NAME: "Claw" });
    const result = await findInstalls(env);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.installs.map((i) => [i.root, i.foundBy, i.service?.taskName]),
      [
        [root, [`path:${binDir}\\openclaw.ps1`], undefined],
        [taskRoot, ["schtasks:F:\\svc\\task.cmd"], "Claw"],
      ],
    );
  });

  it("reports a gateway.cmd whose package was removed, and no install", async () => {
    const fs = new MemoryFs(win);
    fs.file(`${HOME}\\.openclaw\\gateway.cmd`, fixture("services/gateway.cmd", { ROOT: "C:\\old\\openclaw", HOME }));
    const result = await findInstalls(windowsEnv(fs, { PATH: "" }));
    assert.deepEqual(result.installs, []);
    assert.deepEqual(result.diagnostics.map((d) => d.code), ["OCP_SERVICE_TARGET_MISSING", "OCP_NO_INSTALL"]);
    assert.match(result.diagnostics[1]?.remedy ?? "", /%APPDATA%\\npm\\node_modules\\openclaw/);
  });
});

describe("resolvePackageRoot with Windows paths", () => {
  it("walks up from a nested folder and accepts the %APPDATA%\\npm prefix", async () => {
    const fs = new MemoryFs(win);
    addFakeInstall(fs, win, NPM_ROOT, { version: "2026.3.24" });
    fs.dir(`${NPM_ROOT}\\dist\\extensions`);
    assert.equal(await resolvePackageRoot(`${NPM_ROOT}\\dist\\extensions`, { fs, path: win }), NPM_ROOT);
    assert.equal(await resolvePackageRoot(NPM_BIN, { fs, path: win }), NPM_ROOT);
  });
});
