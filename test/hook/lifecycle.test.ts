import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { isOcpError } from "../../src/core/diagnostics.js";
import type { HookContext } from "../../src/hook/context.js";
import { installHook, type InstallRequest } from "../../src/hook/install-hook.js";
import { hookLayout } from "../../src/core/state-layout.js";
import { readRecord } from "../../src/hook/record.js";
import type { ShownCommand } from "../../src/hook/commands.js";
import { hookStatus } from "../../src/hook/hook-status.js";
import { uninstallHook } from "../../src/hook/uninstall-hook.js";
import { contextFor, exists, fakeOpenClawPackage, fixture, recordingRunner, removeDir, tempDir, targetIn, type RecordingRunner } from "./helpers.js";

function request(home: string, extra: Partial<InstallRequest> = {}): InstallRequest {
  return { target: targetIn(home), selector: {}, apply: true, activate: true, force: false, ...extra };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(isOcpError(e), String(e));
    assert.equal(e.diagnostic.code, code, e.message);
    assert.ok(e.diagnostic.remedy.length > 0);
    return true;
  });
}

async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, file), (await fs.readFile(file)).toString("base64"));
  }
  return files;
}

describe("systemd hook lifecycle", () => {
  let home: string;
  let unit: string;
  let unitBytes: Buffer;
  let dropIn: string;
  let rec: RecordingRunner;
  let ctx: HookContext;

  beforeEach(async () => {
    home = await tempDir("life-systemd");
    const target = targetIn(home);
    await fakeOpenClawPackage(target.packageRoot, "2026.3.24", path.join(home, "gw.log"));
    const unitDir = path.join(home, ".config", "systemd", "user");
    await fs.mkdir(unitDir, { recursive: true });
    unit = path.join(unitDir, "openclaw-gateway.service");
    unitBytes = Buffer.from((await fixture("openclaw-gateway.service.in")).toString("utf8").replaceAll("@NODE@", process.execPath).replaceAll("@ROOT@", target.packageRoot));
    await fs.writeFile(unit, unitBytes);
    dropIn = path.join(`${unit}.d`, "openclaw-patch.conf");
    rec = recordingRunner();
    ctx = contextFor(home, "linux", rec.runner);
  });
  afterEach(() => removeDir(home));

  it("plans without writing anything or running anything", async () => {
    const before = await snapshot(home);
    const result = await installHook(ctx, request(home, { apply: false }));
    assert.equal(result.outcome, "planned");
    assert.equal(result.plan?.choice.mechanism, "systemd");
    assert.deepEqual(result.plan?.files.map((f) => [f.action, path.relative(home, f.path)]), [
      ["create", path.join("state", "openclaw-patch", "hook", "repatch.sh")],
      ["create", path.join(".config", "systemd", "user", "openclaw-gateway.service.d", "openclaw-patch.conf")],
    ]);
    assert.deepEqual(result.plan?.activation.map((c) => c.display), ["systemctl --user daemon-reload"]);
    assert.deepEqual(rec.calls, []);
    assert.deepEqual(await snapshot(home), before);
  });

  it("installs, is idempotent, reports active, and uninstalls to the exact previous tree", async () => {
    const before = await snapshot(home);
    const installed = await installHook(ctx, request(home));
    assert.equal(installed.outcome, "installed");
    assert.ok(await exists(dropIn));
    assert.equal(((await fs.stat(path.join(ctx.stateDir, "hook", "repatch.sh"))).mode & 0o777).toString(8), "755");
    assert.deepEqual(await fs.readFile(unit), unitBytes, "the unit itself is never touched");

    const record = await readRecord(hookLayout(ctx.stateDir));
    assert.equal(record?.mechanism, "systemd");
    assert.deepEqual(record?.createdDirs, [`${unit}.d`]);
    assert.ok(record?.files.every((f) => f.action === "created" && /^[0-9a-f]{64}$/.test(f.sha256)));

    const again = await installHook(ctx, request(home));
    assert.equal(again.outcome, "already-installed");
    assert.equal(rec.calls.length, 1, "no second daemon-reload");

    const status = await hookStatus(ctx, { selector: {} });
    assert.equal(status.health, "active");
    assert.deepEqual(status.files.map((f) => f.state), ["intact", "intact"]);

    const planned = await uninstallHook(ctx, { force: false, apply: false });
    assert.deepEqual(planned.plan?.steps.map((s) => s.action), ["delete", "delete"]);
    assert.ok(await exists(dropIn), "planning removes nothing");

    const removed = await uninstallHook(ctx, { force: false, apply: true });
    assert.deepEqual(removed.diagnostics, []);
    assert.deepEqual(rec.calls.map((c) => c.display), ["systemctl --user daemon-reload", "systemctl --user daemon-reload"]);
    assert.deepEqual(await snapshot(home), before);
    assert.equal(await exists(`${unit}.d`), false);
    assert.equal(await exists(hookLayout(ctx.stateDir).dir), false);
    assert.equal((await hookStatus(ctx, { selector: {} })).installed, false);
  });

  it("treats a missing systemctl or user bus as a warning", async () => {
    ctx.runner = recordingRunner(() => ({ code: null, startError: "ENOENT" })).runner;
    const noSystemctl = await installHook(ctx, request(home));
    assert.equal(noSystemctl.outcome, "installed");
    assert.deepEqual(noSystemctl.diagnostics.map((d) => [d.code, d.severity]), [["OCP_HOOK_SYSTEMCTL_MISSING", "warning"]]);
    await uninstallHook(ctx, { force: false, apply: true });

    ctx.runner = recordingRunner(() => ({ code: 1, stderr: "Failed to connect to bus: No medium found" })).runner;
    const noBus = await installHook(ctx, request(home));
    assert.deepEqual(noBus.diagnostics.map((d) => [d.code, d.severity]), [["OCP_HOOK_SYSTEMD_NO_USER_BUS", "warning"]]);
    assert.match(noBus.diagnostics[0]?.message ?? "", /No medium found/);
  });

  it("refuses to uninstall over an edited drop-in unless forced", async () => {
    await installHook(ctx, request(home));
    await fs.appendFile(dropIn, "Environment=EXTRA=1\n");
    await rejectsWith(uninstallHook(ctx, { force: false, apply: true }), "OCP_HOOK_FILE_CHANGED");
    assert.ok(await exists(dropIn), "nothing removed on refusal");
    assert.equal((await hookStatus(ctx, { selector: {} })).health, "damaged");
    await uninstallHook(ctx, { force: true, apply: true });
    assert.equal(await exists(dropIn), false);
  });

  it("uninstalls cleanly when the hook's files are already gone (interrupted install, manual cleanup)", async () => {
    await installHook(ctx, request(home));
    await fs.rm(`${unit}.d`, { recursive: true });
    await fs.rm(path.join(ctx.stateDir, "hook", "repatch.sh"));
    const removed = await uninstallHook(ctx, { force: false, apply: true });
    assert.deepEqual(removed.plan?.steps.map((s) => [s.state, s.action]), [
      ["missing", "leave"],
      ["missing", "leave"],
    ]);
    assert.equal(await readRecord(hookLayout(ctx.stateDir)), undefined);
  });

  it("reports a deleted drop-in as lost and reinstalls over it", async () => {
    await installHook(ctx, request(home));
    await fs.rm(dropIn);
    const status = await hookStatus(ctx, { selector: {} });
    assert.equal(status.health, "lost");
    assert.equal(status.recommendation?.mechanism, "systemd");
    const again = await installHook(ctx, request(home));
    assert.equal(again.outcome, "installed");
    assert.equal(again.replaces?.health, "lost");
    assert.ok(await exists(dropIn));
  });

  it("replaces the hook when openclaw-patch moved", async () => {
    await installHook(ctx, request(home));
    const moved = { ...targetIn(home), cliPath: path.join(home, "new place", "cli.js") };
    const result = await installHook(ctx, request(home, { target: moved }));
    assert.equal(result.outcome, "installed");
    assert.equal(result.replaces?.record.target.cliPath, targetIn(home).cliPath);
    assert.match(await fs.readFile(path.join(ctx.stateDir, "hook", "repatch.sh"), "utf8"), /new place/);
  });

  it("waits for, then gives up on, a lock held by a live process", async () => {
    await fs.mkdir(ctx.stateDir, { recursive: true });
    const lock = { pid: process.ppid, host: os.hostname(), startedAt: new Date().toISOString(), command: "apply" };
    await fs.writeFile(path.join(ctx.stateDir, "openclaw-patch.lock"), JSON.stringify(lock));
    await rejectsWith(installHook({ ...ctx, lockWaitMs: 0 }, request(home)), "OCP_LOCKED");
    assert.equal(await exists(dropIn), false);
  });
});

describe("LaunchAgent hook lifecycle (pre-wrapper release)", () => {
  let home: string;
  let plist: string;
  let original: Buffer;
  let rec: RecordingRunner;
  let ctx: HookContext;

  beforeEach(async () => {
    home = await tempDir("life-launchd");
    await fakeOpenClawPackage(targetIn(home).packageRoot, "2026.3.24", path.join(home, "gw.log"));
    const agents = path.join(home, "Library", "LaunchAgents");
    await fs.mkdir(agents, { recursive: true });
    plist = path.join(agents, "ai.openclaw.gateway.plist");
    original = await fixture("ai.openclaw.gateway.plist");
    await fs.writeFile(plist, original, { mode: 0o600 });
    rec = recordingRunner();
    ctx = contextFor(home, "darwin", rec.runner);
  });
  afterEach(() => removeDir(home));

  it("edits the plist, reloads the agent, and restores the original bytes and mode", async () => {
    const installed = await installHook(ctx, request(home));
    assert.equal(installed.plan?.choice.mechanism, "launchd");
    assert.match(await fs.readFile(plist, "utf8"), /<string>\/bin\/sh<\/string>/);
    assert.equal(((await fs.stat(plist)).mode & 0o777).toString(8), "600");
    assert.deepEqual(rec.calls.map((c) => c.argv[1]), ["bootout", "bootstrap"]);
    const record = await readRecord(hookLayout(ctx.stateDir));
    const entry = record?.files[0];
    assert.equal(entry?.action, "modified");
    assert.ok(entry?.original !== undefined);
    assert.ok((await fs.readFile(path.join(hookLayout(ctx.stateDir).originals, entry.original.sha256))).equals(original));

    await uninstallHook(ctx, { force: false, apply: true });
    assert.ok((await fs.readFile(plist)).equals(original));
    assert.equal(((await fs.stat(plist)).mode & 0o777).toString(8), "600");
    assert.deepEqual(rec.calls.map((c) => c.argv[1]), ["bootout", "bootstrap", "bootout", "bootstrap"]);
  });

  it("rolls the plist back when bootstrap fails", async () => {
    ctx.runner = recordingRunner((c) => (c.argv[1] === "bootstrap" && !rolledBack() ? { code: 5, stderr: "Bootstrap failed: 5: Input/output error" } : {})).runner;
    let bootstraps = 0;
    const rolledBack = (): boolean => ++bootstraps > 1;
    await rejectsWith(installHook(ctx, request(home)), "OCP_HOOK_ACTIVATION_FAILED");
    assert.ok((await fs.readFile(plist)).equals(original));
    assert.equal(await readRecord(hookLayout(ctx.stateDir)), undefined);
  });

  it("after OpenClaw rewrites the plist: status says lost, uninstall refuses then forgets, install re-hooks", async () => {
    await installHook(ctx, request(home));
    const rewritten = Buffer.from(original.toString("utf8").replace("18789", "18790"));
    await fs.writeFile(plist, rewritten);

    const status = await hookStatus(ctx, { selector: {} });
    assert.equal(status.health, "lost");
    assert.deepEqual(status.files.map((f) => f.state), ["superseded"]);
    assert.ok(status.diagnostics.some((d) => d.code === "OCP_HOOK_LOST"));

    await rejectsWith(uninstallHook(ctx, { force: false, apply: true }), "OCP_HOOK_FILE_CHANGED");
    const reinstalled = await installHook(ctx, request(home));
    assert.equal(reinstalled.replaces?.health, "lost");
    await uninstallHook(ctx, { force: false, apply: true });
    assert.ok((await fs.readFile(plist)).equals(rewritten), "uninstall restores the rewritten plist, not the stale original");
  });

  it("with --force, cuts only the hook out of a plist edited around it", async () => {
    await installHook(ctx, request(home));
    const hooked = await fs.readFile(plist, "utf8");
    await fs.writeFile(plist, hooked.replace("<key>RunAtLoad</key>", "<key>ThrottleInterval</key>\n    <integer>10</integer>\n    <key>RunAtLoad</key>"));
    await rejectsWith(uninstallHook(ctx, { force: false, apply: true }), "OCP_HOOK_FILE_CHANGED");
    const forced = await uninstallHook(ctx, { force: true, apply: true });
    assert.deepEqual(forced.plan?.steps.map((s) => s.action), ["remove-edit"]);
    const expected = original.toString("utf8").replace("<key>RunAtLoad</key>", "<key>ThrottleInterval</key>\n    <integer>10</integer>\n    <key>RunAtLoad</key>");
    assert.equal(await fs.readFile(plist, "utf8"), expected);
  });
});

describe("gateway.cmd hook lifecycle (pre-wrapper release)", () => {
  let home: string;
  let script: string;
  let original: Buffer;
  let ctx: HookContext;
  let rec: RecordingRunner;

  beforeEach(async () => {
    home = await tempDir("life-schtasks");
    await fakeOpenClawPackage(targetIn(home).packageRoot, "2026.2.1", path.join(home, "gw.log"));
    await fs.mkdir(path.join(home, ".openclaw"));
    script = path.join(home, ".openclaw", "gateway.cmd");
    original = await fixture("gateway.cmd");
    await fs.writeFile(script, original);
    rec = recordingRunner();
    ctx = contextFor(home, "win32", rec.runner);
  });
  afterEach(() => removeDir(home));

  it("inserts one line, runs no command, and restores gateway.cmd byte for byte", async () => {
    const installed = await installHook(ctx, request(home));
    assert.equal(installed.plan?.choice.mechanism, "schtasks");
    const edited = await fs.readFile(script);
    assert.equal(edited.toString("latin1").split("\r\n").length, original.toString("latin1").split("\r\n").length + 1);
    assert.deepEqual(rec.calls, []);
    assert.equal((await hookStatus(ctx, { selector: {} })).health, "active");
    await uninstallHook(ctx, { force: false, apply: true });
    assert.ok((await fs.readFile(script)).equals(original));
  });
});

describe("wrapper hook lifecycle", () => {
  let home: string;
  let plist: string;
  let original: Buffer;
  let ctx: HookContext;
  let calls: ShownCommand[];

  /** Plays `openclaw gateway install`: writes or clears OPENCLAW_WRAPPER in the plist as OpenClaw would. */
  function fakeOpenClaw(failRegister = false): void {
    calls = [];
    ctx.runner = async (command) => {
      calls.push(command);
      const wrapperAt = command.argv.indexOf("--wrapper");
      if (wrapperAt > 0) {
        if (failRegister) return { code: 1, stdout: "", stderr: "Invalid --wrapper: not executable" };
        const wrapper = command.argv[wrapperAt + 1] ?? "";
        const text = original.toString("utf8").replace("<string>/opt/homebrew/bin/node</string>", `<string>${wrapper}</string>`);
        await fs.writeFile(plist, text.replace("<key>HOME</key>", `<key>OPENCLAW_WRAPPER</key>\n      <string>${wrapper}</string>\n      <key>HOME</key>`));
      } else if (command.env?.OPENCLAW_WRAPPER === "") {
        await fs.writeFile(plist, original);
      }
      return { code: 0, stdout: "", stderr: "" };
    };
  }

  beforeEach(async () => {
    home = await tempDir("life-wrapper");
    await fakeOpenClawPackage(targetIn(home).packageRoot, "2026.9.6", path.join(home, "gw.log"));
    const agents = path.join(home, "Library", "LaunchAgents");
    await fs.mkdir(agents, { recursive: true });
    plist = path.join(agents, "ai.openclaw.gateway.plist");
    original = await fixture("ai.openclaw.gateway.plist");
    await fs.writeFile(plist, original);
    ctx = contextFor(home, "darwin", recordingRunner().runner);
    fakeOpenClaw();
  });
  afterEach(() => removeDir(home));

  it("writes an executable wrapper, registers it through OpenClaw, and unregisters before deleting it", async () => {
    const installed = await installHook(ctx, request(home));
    assert.equal(installed.plan?.choice.mechanism, "wrapper");
    const wrapper = path.join(ctx.stateDir, "hook", "openclaw-gateway-wrapper.sh");
    assert.equal(((await fs.stat(wrapper)).mode & 0o111) !== 0, true);
    assert.deepEqual(calls[0]?.argv, [process.execPath, path.join(targetIn(home).packageRoot, "openclaw.mjs"), "gateway", "install", "--wrapper", wrapper, "--force"]);
    const status = await hookStatus(ctx, { selector: {} });
    assert.equal(status.health, "active");
    assert.equal(status.registered, true);
    assert.ok(installed.plan?.instructions.some((i) => i.includes("gateway restart")));

    await uninstallHook(ctx, { force: false, apply: true });
    assert.deepEqual(calls[1]?.env, { OPENCLAW_WRAPPER: "" });
    assert.equal(await exists(wrapper), false);
    assert.ok((await fs.readFile(plist)).equals(original));
  });

  it("runs the registration outside the state-folder lock, so the gateway's own re-patch is not held up", async () => {
    const lockFile = path.join(ctx.stateDir, "openclaw-patch.lock");
    const runner = ctx.runner;
    let lockedDuringRegistration: boolean | undefined;
    ctx.runner = async (command, timeoutMs) => {
      lockedDuringRegistration = await exists(lockFile);
      return runner(command, timeoutMs);
    };
    await installHook(ctx, request(home));
    assert.equal(lockedDuringRegistration, false);
    assert.equal(await exists(lockFile), false);
  });

  it("rolls back when OpenClaw refuses the wrapper", async () => {
    fakeOpenClaw(true);
    await rejectsWith(installHook(ctx, request(home)), "OCP_HOOK_ACTIVATION_FAILED");
    assert.equal(await exists(path.join(ctx.stateDir, "hook", "openclaw-gateway-wrapper.sh")), false);
    assert.equal(await readRecord(hookLayout(ctx.stateDir)), undefined);
  });

  it("with --no-activate, leaves the registration to the operator, and runs it on the next install", async () => {
    const written = await installHook(ctx, request(home, { activate: false }));
    assert.equal(written.outcome, "installed");
    assert.deepEqual(calls, []);
    assert.match(written.pendingCommands[0]?.display ?? "", /gateway install --wrapper .* --force$/);
    assert.equal((await hookStatus(ctx, { selector: {} })).health, "not-activated");
    const activated = await installHook(ctx, request(home));
    assert.equal(activated.outcome, "activated");
    assert.equal(calls.length, 1);
    assert.equal((await hookStatus(ctx, { selector: {} })).health, "active");
  });

  it("flags a registered wrapper that was deleted: the gateway could not start", async () => {
    await installHook(ctx, request(home));
    await fs.rm(path.join(ctx.stateDir, "hook", "openclaw-gateway-wrapper.sh"));
    const status = await hookStatus(ctx, { selector: {} });
    assert.equal(status.health, "damaged");
    assert.ok(status.diagnostics.some((d) => d.code === "OCP_HOOK_WRAPPER_MISSING" && d.severity === "error"));
    const repaired = await installHook(ctx, request(home));
    assert.equal(repaired.outcome, "installed");
    assert.equal((await hookStatus(ctx, { selector: {} })).health, "active");
  });
});

describe("no service", () => {
  let home: string;
  beforeEach(async () => {
    home = await tempDir("life-none");
    await fakeOpenClawPackage(targetIn(home).packageRoot, "2026.9.6", path.join(home, "gw.log"));
  });
  afterEach(() => removeDir(home));

  it("writes only the exec wrapper and tells the exact command line to put in front of the gateway", async () => {
    const ctx = contextFor(home, "linux", recordingRunner().runner);
    const result = await installHook(ctx, request(home));
    assert.equal(result.plan?.choice.mechanism, "none");
    assert.deepEqual(result.plan?.files.map((f) => path.basename(f.path)), ["openclaw-patch-exec.sh"]);
    const target = targetIn(home);
    assert.ok(result.plan?.instructions[0]?.includes(`${target.nodePath} ${target.cliPath} apply --if-needed --dir ${target.packageRoot} --state-dir ${target.stateDir}; openclaw gateway`));
    await uninstallHook(ctx, { force: false, apply: true });
    assert.equal(await exists(hookLayout(ctx.stateDir).dir), false);
  });

  it("has nothing to uninstall when nothing was installed", async () => {
    const ctx = contextFor(home, "linux", recordingRunner().runner);
    assert.equal((await uninstallHook(ctx, { force: false, apply: true })).plan, undefined);
  });
});
