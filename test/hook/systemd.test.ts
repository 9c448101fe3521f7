import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { installHook } from "../../src/hook/install-hook.js";
import { findHookServices, selectService } from "../../src/hook/services.js";
import { renderSystemdDropIn, systemdDropInPath } from "../../src/hook/mechanisms/systemd.js";
import { isOcpError } from "../../src/core/diagnostics.js";
import { contextFor, fakeOpenClawPackage, fakeRepatchCli, fixture, hostFor, readJsonLines, recordingRunner, removeDir, tempDir, targetIn } from "./helpers.js";

const SETUP_HINT = "systemd-analyze is missing: run scripts/setup-test-tools.sh";

function hasSystemdAnalyze(): boolean {
  return spawnSync("systemd-analyze", ["--version"]).error === undefined;
}

/**
 * `systemd-analyze --user verify` with the temporary home's unit folder as the whole search path,
 * so drop-ins are read from there and nothing of the real user's ~/.config is looked at.
 */
function verify(home: string, unitPath: string): { status: number | null; output: string } {
  const unitDir = path.join(home, ".config", "systemd", "user");
  const runtime = path.join(home, "runtime");
  const result = spawnSync("systemd-analyze", ["--user", "verify", unitPath], {
    encoding: "utf8",
    env: { ...process.env, HOME: home, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: path.join(home, ".config"), SYSTEMD_UNIT_PATH: `${unitDir}:` },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

async function writeUnit(home: string, name: string, root: string): Promise<string> {
  const dir = path.join(home, ".config", "systemd", "user");
  await fs.mkdir(dir, { recursive: true });
  const text = (await fixture("openclaw-gateway.service.in"))
    .toString("utf8")
    .replaceAll("@NODE@", process.execPath)
    .replaceAll("@ROOT@", root)
    .replaceAll("@HOME@", home);
  const file = path.join(dir, name);
  await fs.writeFile(file, text);
  return file;
}

describe("systemd unit discovery", () => {
  let home: string;
  before(async () => {
    home = await tempDir("systemd-find");
    const dir = path.join(home, ".config", "systemd", "user");
    await fs.mkdir(dir, { recursive: true });
    for (const name of ["openclaw-gateway.service", "openclaw-gateway-work.service", "clawdbot-gateway.service", "openclaw-node.service", "unrelated.service"]) {
      await fs.writeFile(path.join(dir, name), "[Service]\nExecStart=/bin/true\n");
    }
  });
  after(() => removeDir(home));

  it("finds the default, profile and legacy gateway units, and nothing else", async () => {
    const found = await findHookServices(hostFor(home, "linux"));
    assert.deepEqual(
      found.map((s) => [s.name, s.profile, s.legacy]),
      [
        ["clawdbot-gateway.service", null, true],
        ["openclaw-gateway-work.service", "work", false],
        ["openclaw-gateway.service", null, false],
      ],
    );
  });

  it("needs --profile or --service when several current units exist, and ignores legacy ones", async () => {
    const found = await findHookServices(hostFor(home, "linux"));
    assert.throws(() => selectService(found, {}), (e: unknown) => isOcpError(e) && e.diagnostic.code === "OCP_HOOK_SERVICE_AMBIGUOUS");
    assert.equal(selectService(found, { profile: "work" })?.name, "openclaw-gateway-work.service");
    assert.equal(selectService(found, { profile: "default" })?.name, "openclaw-gateway.service");
    assert.equal(selectService(found, { service: "clawdbot-gateway" })?.legacy, true);
    assert.equal(selectService(found.filter((s) => s.name !== "openclaw-gateway-work.service"), {})?.name, "openclaw-gateway.service");
  });

  it("honours OPENCLAW_SYSTEMD_UNIT", async () => {
    await fs.writeFile(path.join(home, ".config", "systemd", "user", "my-gw.service"), "[Service]\nExecStart=/bin/true\n");
    const found = await findHookServices(hostFor(home, "linux", { OPENCLAW_SYSTEMD_UNIT: "my-gw" }));
    assert.ok(found.some((s) => s.name === "my-gw.service"));
  });
});

describe("systemd drop-in", () => {
  it("escapes %, $, quotes and backslashes for systemd and keeps the leading '-'", () => {
    const text = renderSystemdDropIn('/home/a b/100%/$x/"q"\\z/repatch.sh');
    assert.match(text, /^\[Service\]$/m);
    assert.ok(text.includes('ExecStartPre=-/bin/sh "/home/a b/100%%/$$x/\\"q\\"\\\\z/repatch.sh"\n'), text);
  });

  it("sits in <unit>.service.d/ beside the unit", () => {
    const unit = { kind: "systemd" as const, name: "openclaw-gateway-work.service", path: "/h/.config/systemd/user/openclaw-gateway-work.service", profile: "work", legacy: false };
    assert.equal(systemdDropInPath(unit), "/h/.config/systemd/user/openclaw-gateway-work.service.d/openclaw-patch.conf");
  });
});

describe("systemd drop-in checked by systemd-analyze verify", { skip: hasSystemdAnalyze() ? false : SETUP_HINT }, () => {
  let home: string;
  before(async () => {
    home = await tempDir("systemd-verify");
    await fs.mkdir(path.join(home, "runtime"), { mode: 0o700 });
  });
  after(() => removeDir(home));

  it("the verify setup really reads drop-ins (a broken one is reported)", async () => {
    const unit = await writeUnit(home, "openclaw-gateway-probe.service", path.join(home, "pkg"));
    const dropIn = path.join(`${unit}.d`, "openclaw-patch.conf");
    await fs.mkdir(path.dirname(dropIn), { recursive: true });
    await fs.writeFile(dropIn, "[Service]\nExecStartPre=relative/sh x\nNoSuchKey=1\n");
    const result = verify(home, unit);
    assert.match(result.output, /openclaw-patch\.conf/);
    await fs.rm(path.dirname(dropIn), { recursive: true });
    await fs.rm(unit);
  });

  it("accepts the installed drop-in without a warning, even with %, $ and spaces in the state folder", async () => {
    const target = { ...targetIn(home), stateDir: path.join(home, "state 100% $HOME") };
    await fakeOpenClawPackage(target.packageRoot, "2026.3.24", path.join(home, "gateway.log"));
    const unit = await writeUnit(home, "openclaw-gateway.service", target.packageRoot);
    const { runner, calls } = recordingRunner();
    const ctx = { ...contextFor(home, "linux", runner), stateDir: target.stateDir };
    const result = await installHook(ctx, { target, selector: {}, apply: true, activate: true, force: false });
    assert.equal(result.outcome, "installed");
    assert.equal(result.plan?.choice.mechanism, "systemd");
    assert.deepEqual(calls.map((c) => c.display), ["systemctl --user daemon-reload"]);

    const verified = verify(home, unit);
    assert.equal(verified.status, 0, verified.output);
    assert.equal(verified.output, "", "no warnings about the unit or the drop-in");
    assert.ok((await fs.readFile(systemdDropInPath({ kind: "systemd", name: "openclaw-gateway.service", path: unit, profile: null, legacy: false }), "utf8")).includes("ExecStartPre=-/bin/sh"));
  });
});

describe("systemd re-patch script", () => {
  let home: string;
  before(async () => {
    home = await tempDir("systemd-script");
  });
  after(() => removeDir(home));

  it("exits 0 whether the re-patch succeeds, fails or is missing", async () => {
    const target = targetIn(home);
    const log = path.join(home, "repatch.log");
    await fakeOpenClawPackage(target.packageRoot, "2026.3.24", path.join(home, "gateway.log"));
    await writeUnit(home, "openclaw-gateway.service", target.packageRoot);
    const ctx = contextFor(home, "linux", recordingRunner().runner);
    await installHook(ctx, { target, selector: {}, apply: true, activate: true, force: false });
    const script = path.join(ctx.stateDir, "hook", "repatch.sh");
    for (const mode of ["missing", "ok", "fail"]) {
      if (mode === "ok") await fakeRepatchCli(target.cliPath, log);
      const run = spawnSync("/bin/sh", [script], { encoding: "utf8", env: { ...process.env, FAKE_REPATCH: mode } });
      assert.equal(run.status, 0, `${mode}: ${run.stderr}`);
    }
    const runs = await readJsonLines(log);
    assert.equal(runs.length, 2);
    assert.equal(runs[0]?.hook, "systemd");
  });
});
