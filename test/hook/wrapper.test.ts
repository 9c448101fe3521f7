import { spawn, spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { renderCmdWrapper, renderPosixRepatchScript, renderPosixWrapper, wrapperRegistration } from "../../src/hook/mechanisms/wrapper.js";
import type { RepatchTarget } from "../../src/hook/repatch.js";
import { fakeOpenClawPackage, fakeRepatchCli, readJsonLines, recorderScript, removeDir, tempDir } from "./helpers.js";

/** Arguments a shell would mangle if the wrapper quoted or split anything. */
const AWKWARD_ARGS = ["gateway", "--port", "18789", "two words", 'say "hi"', "it's", "", "$HOME", "*", "a\\b", "--opt=x y", "tab\there"];

interface Run {
  code: number | null;
  stderr: string;
  ms: number;
}

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr, ms: Date.now() - started }));
  });
}

describe("POSIX wrapper", () => {
  let dir: string;
  let target: RepatchTarget;
  let gatewayLog: string;
  let repatchLog: string;
  let gateway: string;

  before(async () => {
    dir = await tempDir("wrapper");
    gatewayLog = path.join(dir, "gateway.log");
    repatchLog = path.join(dir, "repatch.log");
    target = {
      nodePath: process.execPath,
      cliPath: path.join(dir, "open claw-patch", "cli.mjs"),
      packageRoot: path.join(dir, "pkg's root", "openclaw"),
      stateDir: path.join(dir, "state dir"),
    };
    await fakeRepatchCli(target.cliPath, repatchLog);
    await fakeOpenClawPackage(target.packageRoot, "2026.9.6", gatewayLog);
    gateway = path.join(dir, "fake gateway.mjs");
    await fs.writeFile(gateway, `#!${process.execPath}\n${recorderScript(gatewayLog, "exec")}`, { mode: 0o755 });
  });

  after(() => removeDir(dir));

  async function writeWrapper(name: string, content: string): Promise<string> {
    const file = path.join(dir, name);
    await fs.writeFile(file, content, { mode: 0o755 });
    return file;
  }

  async function freshLogs(): Promise<void> {
    await fs.rm(gatewayLog, { force: true });
    await fs.rm(repatchLog, { force: true });
  }

  it("passes `sh -n` (and `bash -n` where present) in both forms and as the systemd script", async () => {
    const files = [
      await writeWrapper("syntax-openclaw.sh", renderPosixWrapper(target, "openclaw")),
      await writeWrapper("syntax-args.sh", renderPosixWrapper(target, "args")),
      await writeWrapper("syntax-repatch.sh", renderPosixRepatchScript(target)),
    ];
    for (const file of files) {
      const sh = spawnSync("sh", ["-n", file], { encoding: "utf8" });
      assert.equal(sh.status, 0, `sh -n ${file}: ${sh.stderr}`);
      const bash = spawnSync("bash", ["-n", file], { encoding: "utf8" });
      if (bash.error === undefined) assert.equal(bash.status, 0, `bash -n ${file}: ${bash.stderr}`);
    }
  });

  for (const mode of ["ok", "fail", "missing"] as const) {
    it(`re-patches, then execs the command with its arguments unchanged (re-patch ${mode})`, async () => {
      await freshLogs();
      const wrapped = mode === "missing" ? { ...target, cliPath: path.join(dir, "no-such", "cli.js") } : target;
      const wrapper = await writeWrapper(`args-${mode}.sh`, renderPosixWrapper(wrapped, "args"));
      const result = await run(wrapper, [gateway, ...AWKWARD_ARGS], { FAKE_REPATCH: mode });
      assert.equal(result.code, 0, result.stderr);
      const gatewayRuns = await readJsonLines(gatewayLog);
      assert.deepEqual(gatewayRuns, [{ role: "exec", argv: AWKWARD_ARGS }]);
      const repatchRuns = await readJsonLines(repatchLog);
      if (mode === "missing") {
        assert.deepEqual(repatchRuns, []);
        assert.match(result.stderr, /re-patch skipped/);
      } else {
        assert.deepEqual(repatchRuns, [
          { argv: ["apply", "--if-needed", "--dir", target.packageRoot, "--state-dir", target.stateDir!], hook: "exec" },
        ]);
      }
      if (mode === "fail") assert.match(result.stderr, /exited with status 3; starting the gateway anyway/);
    });
  }

  it("stops a hung re-patch after its time limit and still starts the command, leaving no watchdog behind", async () => {
    await freshLogs();
    const wrapper = await writeWrapper("args-hang.sh", renderPosixWrapper(target, "args", 1));
    const result = await run(wrapper, [gateway, "gateway"], { FAKE_REPATCH: "hang" });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.ms < 10_000, `took ${result.ms} ms`);
    assert.match(result.stderr, /still running after 1s/);
    assert.deepEqual(await readJsonLines(gatewayLog), [{ role: "exec", argv: ["gateway"] }]);
  });

  it("does not leave the watchdog's sleep running after a quick re-patch", async () => {
    await freshLogs();
    const wrapper = await writeWrapper("args-quick.sh", renderPosixWrapper(target, "args", 437));
    const result = await run(wrapper, [gateway, "gateway"], { FAKE_REPATCH: "ok" });
    assert.equal(result.code, 0, result.stderr);
    const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" });
    if (ps.error === undefined) assert.doesNotMatch(ps.stdout, /^sleep 437$/m);
  });

  it("as OpenClaw's --wrapper, starts node <root>/openclaw.mjs with the gateway arguments unchanged", async () => {
    await freshLogs();
    const wrapper = await writeWrapper("openclaw-wrapper.sh", renderPosixWrapper(target, "openclaw"));
    const result = await run(wrapper, AWKWARD_ARGS, { FAKE_REPATCH: "fail" });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await readJsonLines(gatewayLog), [{ role: "gateway", argv: AWKWARD_ARGS }]);
    assert.equal((await readJsonLines(repatchLog))[0]?.hook, "wrapper");
  });

  it("falls back to node on PATH when the recorded node binary is gone", async () => {
    await freshLogs();
    const wrapper = await writeWrapper("openclaw-node-gone.sh", renderPosixWrapper({ ...target, nodePath: path.join(dir, "old-node", "bin", "node") }, "openclaw"));
    const pathWithNode = `${path.dirname(process.execPath)}:${process.env.PATH ?? ""}`;
    const result = await run(wrapper, ["gateway", "--port", "1"], { PATH: pathWithNode });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await readJsonLines(gatewayLog), [{ role: "gateway", argv: ["gateway", "--port", "1"] }]);
    assert.equal((await readJsonLines(repatchLog)).length, 1);
  });

  it("refuses to run with no command in args form", async () => {
    const wrapper = await writeWrapper("args-empty.sh", renderPosixWrapper(target, "args"));
    const result = await run(wrapper, []);
    assert.equal(result.code, 64);
  });
});

describe("Windows wrapper", () => {
  const target: RepatchTarget = {
    nodePath: "C:\\Program Files (x86)\\nodejs\\node.exe",
    cliPath: "C:\\Users\\Ann Lee\\openclaw-patch\\build\\src\\cli.js",
    packageRoot: "C:\\Users\\Ann Lee\\AppData\\Roaming\\npm\\node_modules\\openclaw",
    stateDir: "C:\\Users\\Ann Lee\\.openclaw-patch",
  };

  it("uses CRLF, quotes every path, forwards %* and drops its variables before starting the gateway", () => {
    const text = renderCmdWrapper(target, "openclaw");
    assert.ok(text.endsWith("\r\n"));
    assert.equal(text.split("\r\n").length - 1, text.split("\n").length - 1, "every line ends in CRLF");
    assert.match(text, /^@echo off\r\n/);
    assert.match(text, /set "OPENCLAW_PATCH_NODE=C:\\Program Files \(x86\)\\nodejs\\node\.exe"/);
    assert.match(text, /apply --if-needed --dir "C:\\Users\\Ann Lee\\AppData\\Roaming\\npm\\node_modules\\openclaw" --state-dir "C:\\Users\\Ann Lee\\\.openclaw-patch" 1>&2/);
    assert.match(text, /endlocal & "%OPENCLAW_PATCH_NODE%" "C:\\Users\\Ann Lee\\AppData\\Roaming\\npm\\node_modules\\openclaw\\openclaw\.mjs" %\*\r\n$/);
    assert.match(renderCmdWrapper(target, "args"), /endlocal & %\*\r\n$/);
  });

  it("doubles % so cmd.exe does not expand it", () => {
    const text = renderCmdWrapper({ ...target, packageRoot: "C:\\100%\\openclaw" }, "openclaw");
    assert.match(text, /"C:\\100%%\\openclaw"/);
  });
});

describe("wrapper registration", () => {
  const target: RepatchTarget = { nodePath: "/usr/bin/node", cliPath: "/opt/ocp/cli.js", packageRoot: "/usr/lib/node_modules/openclaw" };

  it("registers with `gateway install --wrapper … --force` and unregisters with an empty OPENCLAW_WRAPPER", () => {
    const { register, unregister } = wrapperRegistration(target, "/home/u/.local/state/openclaw-patch/hook/openclaw-gateway-wrapper.sh", "work", "linux");
    assert.deepEqual(register.argv, [
      "/usr/bin/node",
      "/usr/lib/node_modules/openclaw/openclaw.mjs",
      "--profile",
      "work",
      "gateway",
      "install",
      "--wrapper",
      "/home/u/.local/state/openclaw-patch/hook/openclaw-gateway-wrapper.sh",
      "--force",
    ]);
    assert.deepEqual(unregister.env, { OPENCLAW_WRAPPER: "" });
    assert.deepEqual(unregister.argv.slice(-3), ["gateway", "install", "--force"]);
    assert.match(unregister.display, /^OPENCLAW_WRAPPER= /);
  });
});
