import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { makeScratch, treeHash } from "../support/packages.js";
import { runCli } from "../support/cli.js";

const run = promisify(execFile);
const FIRST = "2026.3.24";
const UPGRADE = "2026.3.28";
const scratches: string[] = [];
after(async () => {
  for (const dir of scratches) await fs.rm(dir, { recursive: true, force: true });
});

/** `npm i -g` into a private prefix, as an operator's global install (and `openclaw update`) would. */
async function npmGlobalInstall(prefix: string, version: string): Promise<string> {
  await run("npm", ["install", "-g", "--prefix", prefix, "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", `openclaw@${version}`], { timeout: 15 * 60_000, maxBuffer: 64 << 20 });
  return path.join(prefix, "lib", "node_modules", "openclaw");
}

function systemdUnit(root: string): string {
  return ["[Unit]", "Description=OpenClaw Gateway (test)", "[Service]", `ExecStart=${process.execPath} ${root}/dist/index.js gateway --port 18789`, "Restart=always", "TimeoutStartSec=30", "[Install]", "WantedBy=default.target", ""].join("\n");
}

/** What systemd would run before the gateway starts: every ExecStartPre= of the drop-in, `-` honoured. */
function runExecStartPre(dropIn: string, env: NodeJS.ProcessEnv): { status: number | null; stderr: string }[] {
  const lines = dropIn.split("\n").filter((l) => l.startsWith("ExecStartPre="));
  assert.ok(lines.length > 0, "the drop-in has an ExecStartPre=");
  return lines.map((line) => {
    const command = line.slice("ExecStartPre=".length).replace(/^-/, "");
    const r = spawnSync("sh", ["-c", command], { env, encoding: "utf8", timeout: 120_000 });
    return { status: r.status, stderr: r.stderr };
  });
}

test("the hook re-patches after an npm upgrade, and leaves an unpatchable upgrade alone with a warning", { timeout: 40 * 60_000 }, async () => {
  const scratch = await makeScratch("upgrade");
  scratches.push(scratch);
  const prefix = path.join(scratch, "prefix");
  const home = path.join(scratch, "home");
  const state = path.join(scratch, "state");
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: "", XDG_STATE_HOME: "", OPENCLAW_PATCH_STATE_DIR: state };
  const root = await npmGlobalInstall(prefix, FIRST);
  const target = ["--dir", root, "--state-dir", state];

  assert.equal((await runCli(["apply", ...target, "--json"], env)).code, 0);

  // The systemd drop-in, for a unit like the one `openclaw gateway install` writes.
  const unitDir = path.join(home, ".config", "systemd", "user");
  await fs.mkdir(unitDir, { recursive: true });
  await fs.writeFile(path.join(unitDir, "openclaw-gateway.service"), systemdUnit(root));
  const systemd = await runCli(["hook", "install", "--yes", "--mechanism", "systemd", ...target, "--json"], env);
  assert.equal(systemd.code, 0, systemd.stdout + systemd.stderr);
  const dropInPath = path.join(unitDir, "openclaw-gateway.service.d", "openclaw-patch.conf");
  const dropIn = await fs.readFile(dropInPath, "utf8");
  const analyze = spawnSync("systemd-analyze", ["verify", "--user", path.join(unitDir, "openclaw-gateway.service")], { env, encoding: "utf8" });
  if (analyze.error === undefined) assert.doesNotMatch(analyze.stderr, /openclaw-patch\.conf/, analyze.stderr);

  // Upgrade with npm: new hashed file names, every patched file replaced.
  const upgraded = await npmGlobalInstall(prefix, UPGRADE);
  assert.equal(upgraded, root);
  const beforeHook = await runCli(["status", ...target, "--json"], env);
  assert.equal(beforeHook.json.state, "upgraded");

  for (const r of runExecStartPre(dropIn, env)) assert.equal(r.status, 0, r.stderr);
  const after = await runCli(["status", ...target, "--json"], env);
  assert.equal(after.json.version, UPGRADE);
  assert.equal(after.json.state, "patched", JSON.stringify(after.json));
  assert.equal(after.json.lastHook.outcome, "applied");
  const verify = await runCli(["verify", ...target, "--json"], env);
  assert.equal(verify.code, 0, verify.stdout);

  // Two hook runs at once (the service and an operator) leave a consistent install.
  const both = await Promise.all([runCli(["apply", "--if-needed", ...target], env), runCli(["apply", "--if-needed", ...target], env)]);
  for (const r of both) assert.equal(r.code, 0, r.stderr);
  assert.equal((await runCli(["verify", ...target], env)).code, 0);

  // An upgrade to a release the tool cannot patch: simulated by a copy with an anchor removed.
  assert.equal((await runCli(["revert", ...target], env)).code, 0);
  const handler = (await runCli(["apply", "--dry-run", ...target, "--json"], env)).json.sites.find((s: any) => s.site === "connection-handler").at[0].split(":")[0];
  const handlerPath = path.join(root, handler);
  const text = await fs.readFile(handlerPath, "utf8");
  await fs.rm(handlerPath);
  await fs.writeFile(handlerPath, text.replace(/\(socket, upgradeReq\) => \{/, "(socket) => { const upgradeReq = socket.upgradeReq;"));
  const buildInfo = path.join(root, "dist", "build-info.json");
  const info = JSON.parse(await fs.readFile(buildInfo, "utf8"));
  await fs.rm(buildInfo);
  await fs.writeFile(buildInfo, JSON.stringify({ ...info, version: "2026.3.29" }));
  await fs.writeFile(path.join(root, "package.json"), (await fs.readFile(path.join(root, "package.json"), "utf8")).replace(`"version": "${UPGRADE}"`, '"version": "2026.3.29"'));
  const unpatchable = await treeHash(root);
  for (const r of runExecStartPre(dropIn, env)) {
    assert.equal(r.status, 0, "the gateway still starts");
    assert.match(r.stderr, /could not be patched; the gateway starts unpatched/);
    assert.match(r.stderr, /OCP_SITE_NOT_FOUND/);
  }
  assert.equal(await treeHash(root), unpatchable, "nothing changed");
  const last = await runCli(["status", ...target, "--json"], env);
  assert.equal(last.json.state, "stock");
  assert.equal(last.json.lastHook.outcome, "failed");
  assert.equal(last.json.lastHook.diagnostic.code, "OCP_SITE_NOT_FOUND");

  const removed = await runCli(["hook", "uninstall", "--yes", "--state-dir", state, "--json"], env);
  assert.equal(removed.code, 0, removed.stdout + removed.stderr);
  await assert.rejects(fs.access(dropInPath), "the drop-in is gone");

  // The wrapper (no service here): run for real; the re-patch fails on this release, the command still runs.
  const wrapper = await runCli(["hook", "install", "--yes", "--mechanism", "none", ...target, "--json"], env);
  assert.equal(wrapper.code, 0, wrapper.stdout + wrapper.stderr);
  const wrapperScript = findWrapperPath(wrapper.json);
  assert.equal(spawnSync("sh", ["-n", wrapperScript]).status, 0, "the wrapper passes sh -n");

  // Its re-patch warns, then the original command runs with its arguments unchanged.
  const argvFile = path.join(scratch, "argv.json");
  const wrapped = spawnSync(wrapperScript, [process.execPath, "-e", `require("fs").writeFileSync(${JSON.stringify(argvFile)}, JSON.stringify(process.argv.slice(1)))`, "gateway", "--port", "18789", "a b", "it's"], { env, encoding: "utf8", timeout: 120_000 });
  assert.equal(wrapped.status, 0, wrapped.stderr);
  assert.deepEqual(JSON.parse(await fs.readFile(argvFile, "utf8")), ["gateway", "--port", "18789", "a b", "it's"]);

});

function findWrapperPath(result: any): string {
  const files: any[] = result?.files ?? result?.plan?.files ?? result?.record?.files ?? [];
  const hit = files.map((f) => f.path ?? f.file).find((p: string) => typeof p === "string" && /wrapper|exec/.test(path.basename(p)) && !p.endsWith(".cmd"));
  assert.ok(hit, `no wrapper in ${JSON.stringify(result).slice(0, 800)}`);
  return hit;
}
