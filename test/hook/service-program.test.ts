import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { insertCmdHook, renderCmdHookLine } from "../../src/hook/mechanisms/schtasks.js";
import { insertPlistHook, renderLaunchdScript } from "../../src/hook/mechanisms/launchd.js";
import { nodeInServiceArguments as nodeInArguments } from "../../src/locate/service/service-argv.js";
import { packageRootInArguments, serviceProgramArguments, wrapperInArguments } from "../../src/hook/service-program.js";
import type { ServiceDefinition } from "../../src/locate/service/gateway-services.js";
import { fixture, hostFor, removeDir, tempDir } from "./helpers.js";

const TARGET = { nodePath: "C:\\node\\node.exe", cliPath: "C:\\ocp\\cli.js", packageRoot: "C:\\openclaw" };

describe("reading the service's program", () => {
  let home: string;
  before(async () => {
    home = await tempDir("program");
  });
  after(() => removeDir(home));

  async function service(kind: ServiceDefinition["kind"], name: string, content: Buffer | string): Promise<ServiceDefinition> {
    const file = path.join(home, name);
    await fs.writeFile(file, content);
    return { kind, name, path: file, profile: null, legacy: false };
  }

  it("finds node and the package root in a LaunchAgent, before and after the hook's edit", async () => {
    const plain = await fixture("ai.openclaw.gateway.plist");
    for (const content of [plain, insertPlistHook(plain, renderLaunchdScript({ ...TARGET, nodePath: "/usr/bin/node" }))]) {
      const argv = await serviceProgramArguments(await service("launchd", "a.plist", content), hostFor(home, "darwin"));
      assert.ok(argv);
      assert.equal(nodeInArguments(argv, "darwin"), "/opt/homebrew/bin/node");
      assert.equal(packageRootInArguments(argv, "darwin"), "/opt/homebrew/lib/node_modules/openclaw");
    }
  });

  it("finds node and the package root in gateway.cmd, and does not mistake the hook line for the gateway", async () => {
    const plain = await fixture("gateway.cmd");
    for (const content of [plain, insertCmdHook(plain, renderCmdHookLine(TARGET))]) {
      const argv = await serviceProgramArguments(await service("schtasks", "gateway.cmd", content), hostFor(home, "win32"));
      assert.ok(argv);
      assert.equal(nodeInArguments(argv, "win32"), "C:\\Program Files\\nodejs\\node.exe");
      assert.equal(packageRootInArguments(argv, "win32"), "C:\\Users\\tester\\AppData\\Roaming\\npm\\node_modules\\openclaw");
    }
  });

  it("finds node and the package root in a systemd unit", async () => {
    const text = (await fixture("openclaw-gateway.service.in")).toString("utf8").replaceAll("@NODE@", "/usr/local/bin/node").replaceAll("@ROOT@", "/usr/local/lib/node_modules/openclaw");
    const argv = await serviceProgramArguments(await service("systemd", "openclaw-gateway.service", text), hostFor(home, "linux"));
    assert.ok(argv);
    assert.equal(nodeInArguments(argv, "linux"), "/usr/local/bin/node");
    assert.equal(packageRootInArguments(argv, "linux"), "/usr/local/lib/node_modules/openclaw");
  });

  it("recognises a wrapper in the command line, behind OpenClaw's macOS env wrapper or this hook's prefix", () => {
    const env = ["/bin/sh", "/Users/t/.openclaw/service-env/ai.openclaw.gateway-env-wrapper.sh", "/Users/t/.openclaw/service-env/ai.openclaw.gateway.env"];
    assert.equal(wrapperInArguments([...env, "/Users/t/bin/doppler-openclaw", "gateway", "--port", "18789"], "darwin"), "/Users/t/bin/doppler-openclaw");
    assert.equal(wrapperInArguments(["/Users/t/bin/w", "gateway", "--port", "1"], "darwin"), "/Users/t/bin/w");
    assert.equal(wrapperInArguments([...env, "/opt/homebrew/bin/node", "/opt/homebrew/lib/node_modules/openclaw/dist/index.js", "gateway"], "darwin"), undefined);
    assert.equal(wrapperInArguments(["/bin/sh", "-c", ": openclaw-patch-hook", "/usr/bin/node", "/x/openclaw/dist/entry.js", "gateway"], "darwin"), undefined);
    assert.equal(wrapperInArguments(["C:\\x\\w.cmd", "gateway"], "win32"), "C:\\x\\w.cmd");
  });

  it("ignores programs that are not node", () => {
    assert.equal(nodeInArguments(["/usr/local/bin/bun", "/x/dist/index.js"], "linux"), undefined);
    assert.equal(nodeInArguments(["/usr/bin/node22", "/x/dist/index.js"], "linux"), "/usr/bin/node22");
  });
});
