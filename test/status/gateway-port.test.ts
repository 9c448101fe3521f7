import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { isOcpError } from "../../src/core/diagnostics.js";
import { gatewayFacts } from "../../src/status/gateway-facts.js";
import { chooseGatewayPort, DEFAULT_GATEWAY_PORT } from "../../src/status/gateway-port.js";
import { findGatewayService } from "../../src/status/gateway-service.js";
import { parseJson5ish } from "../../src/status/json5ish.js";
import { openClawConfigPath, readGatewayConfig } from "../../src/status/openclaw-config.js";

let scratch: string;
before(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), "ocp-port-"));
});
after(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

async function file(rel: string, text: string): Promise<string> {
  const full = path.join(scratch, rel);
  await fs.mkdir(path.dirname(full), { recursive: true });
  await fs.writeFile(full, text);
  return full;
}

const NO_ENV = {};

describe("openclaw.json as operators write it", () => {
  test("comments, trailing commas, unquoted keys and single quotes", () => {
    const text = `// OpenClaw config
{
  /* the gateway */ gateway: {
    port: 19123, // moved off 18789
    auth: { mode: 'token', token: "a//b /* not a comment */", },
    handshakeTimeoutMs: 12000,
  },
  "list": [1, 2, 3,],
}`;
    assert.deepEqual(parseJson5ish(text), {
      gateway: { port: 19123, auth: { mode: "token", token: "a//b /* not a comment */" }, handshakeTimeoutMs: 12000 },
      list: [1, 2, 3],
    });
  });

  test("what it cannot read gives undefined, never a throw", () => {
    for (const text of ["{ port: 0x4965 }", "{ gateway: { port: 18789 }", "/* open", "{ a: 'unterminated }"]) {
      assert.equal(parseJson5ish(text), undefined, text);
    }
  });

  test("plain JSON is unchanged", () => {
    assert.deepEqual(parseJson5ish('{"gateway":{"port":18790,"bind":"loopback"}}'), { gateway: { port: 18790, bind: "loopback" } });
  });
});

describe("where the config is", () => {
  test("OPENCLAW_CONFIG_PATH, then OPENCLAW_STATE_DIR/openclaw.json, then ~/.openclaw/openclaw.json", () => {
    const homedir = "/home/op";
    assert.equal(openClawConfigPath({ env: { OPENCLAW_CONFIG_PATH: "/etc/oc.json", OPENCLAW_STATE_DIR: "/s" }, homedir }), "/etc/oc.json");
    assert.equal(openClawConfigPath({ env: { OPENCLAW_CONFIG_PATH: "~/cfg/oc.json" }, homedir }), "/home/op/cfg/oc.json");
    assert.equal(openClawConfigPath({ env: { OPENCLAW_STATE_DIR: "/srv/state" }, homedir }), "/srv/state/openclaw.json");
    assert.equal(openClawConfigPath({ env: {}, homedir }), "/home/op/.openclaw/openclaw.json");
  });

  test("reads gateway.port and gateway.handshakeTimeoutMs from each place", async () => {
    const explicit = await file("explicit/oc.json", "{ gateway: { port: 19001, handshakeTimeoutMs: 7000, } }");
    const stateDir = path.dirname(await file("state/openclaw.json", '{ "gateway": { "port": 19002 } }'));
    const home = path.join(scratch, "home");
    await file("home/.openclaw/openclaw.json", "{ gateway: { port: '19003' } }");
    assert.deepEqual(await readGatewayConfig({ env: { OPENCLAW_CONFIG_PATH: explicit }, homedir: home }), { file: explicit, found: true, port: 19001, handshakeTimeoutMs: 7000, diagnostics: [] });
    assert.equal((await readGatewayConfig({ env: { OPENCLAW_STATE_DIR: stateDir }, homedir: home })).port, 19002);
    assert.equal((await readGatewayConfig({ env: {}, homedir: home })).port, 19003);
  });

  test("a missing config is silent; an unparsable one is a warning and no port", async () => {
    const missing = await readGatewayConfig({ env: { OPENCLAW_CONFIG_PATH: path.join(scratch, "nope.json") }, homedir: scratch });
    assert.deepEqual([missing.found, missing.port, missing.diagnostics], [false, undefined, []]);
    const broken = await file("broken.json", "{ gateway: { port: 19004 ");
    const read = await readGatewayConfig({ env: { OPENCLAW_CONFIG_PATH: broken }, homedir: scratch });
    assert.equal(read.port, undefined);
    assert.deepEqual(read.diagnostics.map((d) => [d.code, d.severity]), [["OCP_OPENCLAW_CONFIG_UNPARSED", "warning"]]);
  });
});

describe("the gateway's service definition", () => {
  test("systemd ExecStart with --port N and the Node it runs", async () => {
    const unit = await file(
      "systemd/openclaw-gateway.service",
      ["[Unit]", "Description=OpenClaw", "[Service]", "ExecStart=/opt/node/bin/node /opt/oc/dist/index.js gateway --port 19100", ""].join("\n"),
    );
    const found = await findGatewayService({ realRoot: "/opt/oc", stateDir: path.join(scratch, "no-state"), foundBy: ["path:/usr/bin/openclaw", `systemd:${unit}`], env: NO_ENV, homedir: scratch });
    assert.deepEqual(found.diagnostics, []);
    assert.equal(found.service?.kind, "systemd");
    assert.equal(found.service?.port, 19100);
    assert.equal(found.service?.nodeBinary, "/opt/node/bin/node");
  });

  test("a drop-in that replaces ExecStart wins", async () => {
    const unit = await file("systemd2/openclaw-gateway.service", "[Service]\nExecStart=/usr/bin/node /opt/oc/dist/index.js gateway --port 19101\n");
    await file("systemd2/openclaw-gateway.service.d/override.conf", "[Service]\nExecStart=\nExecStart=/usr/bin/node /opt/oc/dist/index.js gateway --port=19102\n");
    const found = await findGatewayService({ realRoot: "/opt/oc", stateDir: scratch, foundBy: [`systemd:${unit}`], env: NO_ENV, homedir: scratch });
    assert.equal(found.service?.port, 19102);
  });

  test("a LaunchAgent's ProgramArguments", async () => {
    const plist = await file(
      "ai.openclaw.gateway.plist",
      `<?xml version="1.0"?><plist version="1.0"><dict><key>Label</key><string>ai.openclaw.gateway</string>
       <key>ProgramArguments</key><array><string>/usr/local/bin/node</string><string>/opt/oc/dist/index.js</string>
       <string>gateway</string><string>--port</string><string>19200</string></array></dict></plist>`,
    );
    const found = await findGatewayService({ realRoot: "/opt/oc", stateDir: scratch, foundBy: [`launchd:${plist}`], env: NO_ENV, homedir: scratch });
    assert.deepEqual([found.service?.kind, found.service?.port, found.service?.nodeBinary], ["launchd", 19200, "/usr/local/bin/node"]);
  });

  test("with --dir, the service the re-patch hook recorded for this install", async () => {
    const root = await fs.mkdtemp(path.join(scratch, "oc-"));
    const unit = await file("hooked/openclaw-gateway.service", `[Service]\nExecStart=/usr/bin/node ${root}/dist/index.js gateway --port 19150\n`);
    const stateDir = path.join(scratch, "hook-state");
    const record = {
      schema: 1,
      mechanism: "systemd",
      reason: "test",
      installedAt: new Date(0).toISOString(),
      openclawVersion: "2026.3.24",
      target: { nodePath: "/usr/bin/node", cliPath: "/x/cli.js", packageRoot: root },
      service: { kind: "systemd", name: "openclaw-gateway.service", path: unit, profile: null, legacy: false },
      files: [],
      createdDirs: [],
      uninstallCommands: { beforeFiles: [], afterFiles: [] },
      activation: [],
      activated: true,
    };
    await file("hook-state/hook/hook-record.json", JSON.stringify(record));
    const found = await findGatewayService({ realRoot: root, stateDir, foundBy: [`dir:${root}`], env: NO_ENV, homedir: scratch });
    assert.deepEqual([found.service?.foundBy, found.service?.port], ["hook-record", 19150]);
    const other = await findGatewayService({ realRoot: "/some/other/openclaw", stateDir, foundBy: ["dir:/some/other/openclaw"], env: NO_ENV, homedir: scratch });
    assert.equal(other.service, undefined, "a hook for another install says nothing about this one");
  });

  test("an unreadable service definition is a warning, not a failure", async () => {
    const found = await findGatewayService({ realRoot: "/opt/oc", stateDir: scratch, foundBy: [`systemd:${path.join(scratch, "gone.service")}`], env: NO_ENV, homedir: scratch });
    assert.equal(found.service, undefined);
    assert.deepEqual(found.diagnostics.map((d) => d.code), ["OCP_SERVICE_UNREADABLE"]);
  });
});

describe("choosing the port", () => {
  const service = { kind: "systemd" as const, file: "/u/openclaw-gateway.service", foundBy: "locate" as const, commands: [], port: 19300 };
  const config = { file: "/c/openclaw.json", found: true, port: 19400, diagnostics: [] };

  test("--port, then the service's --port, then OPENCLAW_GATEWAY_PORT, then gateway.port, then 18789", () => {
    const env = { OPENCLAW_GATEWAY_PORT: "19500" };
    assert.deepEqual(chooseGatewayPort({ option: "19600", service, env, config }), { port: 19600, source: "option", from: "--port" });
    assert.deepEqual(chooseGatewayPort({ service, env, config }), { port: 19300, source: "service", from: "--port in /u/openclaw-gateway.service" });
    assert.deepEqual(chooseGatewayPort({ env, config }), { port: 19500, source: "env", from: "OPENCLAW_GATEWAY_PORT" });
    assert.deepEqual(chooseGatewayPort({ env: {}, config }), { port: 19400, source: "config", from: "gateway.port in /c/openclaw.json" });
    assert.deepEqual(chooseGatewayPort({ env: {} }), { port: DEFAULT_GATEWAY_PORT, source: "default", from: "OpenClaw's default" });
  });

  test("a bad --port is a usage error", () => {
    for (const bad of ["0", "65536", "http", "18789x"]) {
      assert.throws(() => chooseGatewayPort({ option: bad, env: {} }), (error: unknown) => isOcpError(error) && error.diagnostic.code === "OCP_BAD_OPTION", bad);
    }
  });

  test("gatewayFacts puts the pieces together from files", async () => {
    const unit = await file("systemd3/openclaw-gateway.service", "[Service]\nExecStart=/usr/bin/node /opt/oc/dist/index.js gateway --port 19700\n");
    const configFile = await file("facts/openclaw.json", "{ gateway: { port: 19701 } }");
    const env = { OPENCLAW_CONFIG_PATH: configFile };
    const withService = await gatewayFacts({ realRoot: "/opt/oc", stateDir: scratch, foundBy: [`systemd:${unit}`], env, homedir: scratch });
    assert.deepEqual([withService.port.port, withService.port.source], [19700, "service"]);
    const withoutService = await gatewayFacts({ realRoot: "/opt/oc", stateDir: scratch, foundBy: ["dir:/opt/oc"], env, homedir: scratch });
    assert.deepEqual([withoutService.port.port, withoutService.port.source], [19701, "config"]);
    const withFlag = await gatewayFacts({ realRoot: "/opt/oc", stateDir: scratch, foundBy: [`systemd:${unit}`], portOption: "19702", env, homedir: scratch });
    assert.deepEqual([withFlag.port.port, withFlag.port.source], [19702, "option"]);
  });
});
