import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Command } from "commander";
import { EXIT, ExitError } from "../../src/cli/exit-codes.js";
import { hookInstallCommand, hookStatusCommand, hookUninstallCommand, registerHookCommand, type HookCommandDeps } from "../../src/commands/hook.js";
import { captureIO, contextFor, exists, fakeOpenClawPackage, fixture, recordingRunner, removeDir, tempDir, targetIn, type RecordingRunner } from "./helpers.js";

async function exitCodeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ExitError) return error.exitCode;
    throw error;
  }
}

function parsed(lines: string[]): Record<string, unknown> {
  assert.equal(lines.length, 1, "one JSON document");
  return JSON.parse(lines[0] ?? "") as Record<string, unknown>;
}

describe("hook command", () => {
  let home: string;
  let deps: HookCommandDeps;
  let rec: RecordingRunner;
  let dropIn: string;

  beforeEach(async () => {
    home = await tempDir("command");
    const target = targetIn(home);
    await fakeOpenClawPackage(target.packageRoot, "2026.5.2", path.join(home, "gw.log"));
    const unitDir = path.join(home, ".config", "systemd", "user");
    await fs.mkdir(unitDir, { recursive: true });
    const unit = path.join(unitDir, "openclaw-gateway.service");
    await fs.writeFile(unit, (await fixture("openclaw-gateway.service.in")).toString("utf8").replaceAll("@NODE@", process.execPath).replaceAll("@ROOT@", target.packageRoot));
    dropIn = path.join(`${unit}.d`, "openclaw-patch.conf");
    rec = recordingRunner();
    const ctx = contextFor(home, "linux", rec.runner);
    deps = { context: ctx, cliPath: target.cliPath, resolvePackageRoot: async () => target.packageRoot };
  });
  afterEach(() => removeDir(home));

  it("without --yes prints the plan, changes nothing and exits 0", async () => {
    const io = captureIO(false);
    assert.equal(await exitCodeOf(hookInstallCommand({ node: process.execPath }, io, deps)), EXIT.ok);
    const text = io.stdout.join("\n");
    assert.match(text, /plan \(nothing changed; add --yes to apply\)/);
    assert.match(text, /mechanism: systemd/);
    assert.match(text, /wrapper: OpenClaw 2026\.5\.2 supports OPENCLAW_WRAPPER/);
    assert.match(text, /\| ExecStartPre=-\/bin\/sh /);
    assert.match(text, /systemctl --user daemon-reload/);
    assert.equal(await exists(dropIn), false);
    assert.deepEqual(rec.calls, []);
  });

  it("--json prints the same plan as data", async () => {
    const io = captureIO(true);
    await hookInstallCommand({ node: process.execPath, json: true }, io, deps);
    const data = parsed(io.stdout);
    assert.equal(data.command, "hook install");
    assert.equal(data.outcome, "planned");
    assert.equal(data.applied, false);
    assert.equal(data.mechanism, "systemd");
    assert.ok(Array.isArray(data.alternatives) && data.alternatives.length === 4);
    const files = data.files as Array<Record<string, unknown>>;
    assert.deepEqual(files.map((f) => f.role), ["repatch-script", "systemd-drop-in"]);
    assert.match(String(files[1]?.content), /ExecStartPre=-/);
    assert.deepEqual((data.commands as Array<Record<string, unknown>>).map((c) => c.argv), [["systemctl", "--user", "daemon-reload"]]);
    assert.equal(io.stderr.length, 0);
  });

  it("installs with --yes, reports status, and refuses an unforced uninstall over an edit with exit 4", async () => {
    const install = captureIO(true);
    await hookInstallCommand({ node: process.execPath, yes: true, json: true }, install, deps);
    assert.equal(parsed(install.stdout).outcome, "installed");
    assert.ok(await exists(dropIn));

    const status = captureIO(true);
    assert.equal(await exitCodeOf(hookStatusCommand({ json: true }, status, deps)), EXIT.ok);
    const report = parsed(status.stdout);
    assert.equal(report.installed, true);
    assert.equal(report.health, "active");
    assert.equal(report.mechanism, "systemd");

    await fs.appendFile(dropIn, "# someone's note\n");
    const refused = captureIO(false);
    assert.equal(await exitCodeOf(hookUninstallCommand({ yes: true }, refused, deps)), EXIT.conflict);
    assert.match(refused.stderr.join("\n"), /error OCP_HOOK_FILE_CHANGED: .*openclaw-patch\.conf[\s\S]*remedy: .*--force/);
    assert.ok(await exists(dropIn));

    const forced = captureIO(true);
    assert.equal(await exitCodeOf(hookUninstallCommand({ yes: true, force: true, json: true }, forced, deps)), EXIT.ok);
    assert.equal(parsed(forced.stdout).outcome, "uninstalled");
    assert.equal(await exists(dropIn), false);
  });

  it("takes node from the gateway service when --node is not given", async () => {
    const serviceNode = path.join(home, "node-24", "bin", "node");
    await fs.mkdir(path.dirname(serviceNode), { recursive: true });
    await fs.symlink(process.execPath, serviceNode);
    const unit = path.join(home, ".config", "systemd", "user", "openclaw-gateway.service");
    await fs.writeFile(unit, (await fs.readFile(unit, "utf8")).replace(process.execPath, serviceNode));
    const io = captureIO(true);
    await hookInstallCommand({ json: true }, io, deps);
    assert.equal((parsed(io.stdout).target as Record<string, unknown>).nodePath, serviceNode);
    const service = parsed(io.stdout).service as Record<string, unknown>;
    assert.equal(service.name, "openclaw-gateway.service");
  });

  it("uninstall without --yes only shows the plan", async () => {
    await hookInstallCommand({ node: process.execPath, yes: true }, captureIO(false), deps);
    const io = captureIO(false);
    assert.equal(await exitCodeOf(hookUninstallCommand({}, io, deps)), EXIT.ok);
    assert.match(io.stdout.join("\n"), /plan for the systemd hook \(nothing changed; add --yes to apply\)/);
    assert.ok(await exists(dropIn));
  });

  it("rejects a bad --mechanism and an unavailable one with exit 2, as JSON under --json", async () => {
    const bad = captureIO(true);
    assert.equal(await exitCodeOf(hookInstallCommand({ mechanism: "cron", json: true }, bad, deps)), EXIT.usage);
    assert.equal((parsed(bad.stdout).error as Record<string, unknown>).code, "OCP_HOOK_BAD_OPTION");
    const unavailable = captureIO(false);
    assert.equal(await exitCodeOf(hookInstallCommand({ mechanism: "launchd" }, unavailable, deps)), EXIT.usage);
    assert.match(unavailable.stderr.join("\n"), /OCP_HOOK_MECHANISM_UNAVAILABLE/);
  });

  it("registers `hook install|uninstall|status` on a commander program", async () => {
    const program = new Command("openclaw-patch").exitOverride();
    registerHookCommand(program, deps);
    const hook = program.commands.find((c) => c.name() === "hook");
    assert.ok(hook);
    assert.deepEqual(hook.commands.map((c) => c.name()), ["install", "uninstall", "status"]);
    const install = hook.commands[0]!;
    for (const flag of ["--yes", "--json", "--dir", "--mechanism", "--no-activate", "--force", "--state-dir", "--wait"]) {
      assert.ok(install.options.some((o) => o.long === flag), flag);
    }

    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      await program.parseAsync(["node", "openclaw-patch", "hook", "status", "--json"]);
    } finally {
      process.stdout.write = write;
    }
    assert.equal((JSON.parse(written.join("")) as Record<string, unknown>).installed, false);
  });
});
