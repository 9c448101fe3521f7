import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { isOcpError } from "../../src/core/diagnostics.js";
import { hasPlistHook, insertPlistHook, launchdReloadCommands, removePlistHook, renderLaunchdScript } from "../../src/hook/mechanisms/launchd.js";
import { xmlUnescape } from "../../src/hook/quote.js";
import type { RepatchTarget } from "../../src/hook/repatch.js";
import { findHookServices } from "../../src/hook/services.js";
import { fakeRepatchCli, fixture, hostFor, readJsonLines, recorderScript, removeDir, tempDir } from "./helpers.js";

const PLISTS = ["ai.openclaw.gateway.plist", "ai.openclaw.work.plist"];

const TARGET: RepatchTarget = {
  nodePath: "/opt/homebrew/bin/node",
  cliPath: "/Users/tester/.npm-global/lib/node_modules/openclaw-patch/build/src/cli.js",
  packageRoot: "/opt/homebrew/lib/node_modules/openclaw",
  stateDir: "/Users/tester/.openclaw-patch",
};

function hasPython(): boolean {
  return spawnSync("python3", ["-c", "import plistlib"]).status === 0;
}

/** ProgramArguments as launchd would read them: by Python's plistlib when present (a real XML parser). */
function programArguments(plist: Buffer): string[] {
  if (hasPython()) {
    const run = spawnSync("python3", ["-c", "import json, plistlib, sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())['ProgramArguments']))"], {
      input: plist,
      encoding: "utf8",
    });
    assert.equal(run.status, 0, `plistlib rejected the plist: ${run.stderr}`);
    return JSON.parse(run.stdout) as string[];
  }
  const array = /<key>ProgramArguments<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(plist.toString("utf8"))?.[1] ?? "";
  return [...array.matchAll(/<string>([\s\S]*?)<\/string>/g)].map((m) => xmlUnescape(m[1] ?? ""));
}

describe("LaunchAgent plist edit", () => {
  for (const name of PLISTS) {
    it(`round-trips ${name} byte for byte`, async () => {
      const original = await fixture(name);
      assert.equal(hasPlistHook(original), false);
      assert.equal(removePlistHook(original), undefined);
      const edited = insertPlistHook(original, renderLaunchdScript(TARGET));
      assert.equal(hasPlistHook(edited), true);
      const restored = removePlistHook(edited);
      assert.ok(restored !== undefined);
      assert.ok(restored.equals(original), "restored bytes differ from the fixture");
    });

    it(`keeps ${name} a valid plist whose program is /bin/sh -c <script> followed by the original arguments`, async () => {
      const original = await fixture(name);
      const edited = insertPlistHook(original, renderLaunchdScript(TARGET));
      const before = programArguments(original);
      const afterEdit = programArguments(edited);
      assert.deepEqual(afterEdit.slice(3), before);
      assert.equal(afterEdit[0], "/bin/sh");
      assert.equal(afterEdit[1], "-c");
      assert.equal(afterEdit[2], renderLaunchdScript(TARGET));
    });
  }

  it("changes nothing but the inserted arguments (same indentation as the first argument)", async () => {
    const original = (await fixture("ai.openclaw.gateway.plist")).toString("utf8");
    const edited = insertPlistHook(Buffer.from(original), "x").toString("utf8");
    assert.ok(edited.includes("<array>\n      <string>/bin/sh</string>\n      <string>-c</string>\n      <string>x</string>\n      <string>/opt/homebrew/bin/node</string>"));
  });

  it("refuses a second hook, a binary plist and a plist without ProgramArguments", async () => {
    const original = await fixture("ai.openclaw.gateway.plist");
    const edited = insertPlistHook(original, renderLaunchdScript(TARGET));
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        if (isOcpError(error)) return error.diagnostic.code;
        throw error;
      }
      return undefined;
    };
    assert.equal(code(() => insertPlistHook(edited, renderLaunchdScript(TARGET))), "OCP_HOOK_ALREADY_PRESENT");
    assert.equal(code(() => insertPlistHook(Buffer.from("bplist00..."), "x")), "OCP_HOOK_PLIST_BINARY");
    assert.equal(code(() => insertPlistHook(Buffer.from("<plist><dict></dict></plist>"), "x")), "OCP_HOOK_PLIST_UNRECOGNIZED");
  });

  it("reloads with bootout then bootstrap in the user's GUI domain", () => {
    const commands = launchdReloadCommands({ kind: "launchd", name: "ai.openclaw.gateway", path: "/Users/t/Library/LaunchAgents/ai.openclaw.gateway.plist", profile: null, legacy: false }, 501);
    assert.deepEqual(
      commands.map((c) => c.argv),
      [
        ["launchctl", "bootout", "gui/501/ai.openclaw.gateway"],
        ["launchctl", "bootstrap", "gui/501", "/Users/t/Library/LaunchAgents/ai.openclaw.gateway.plist"],
      ],
    );
  });
});

describe("LaunchAgent program arguments run for real", () => {
  let dir: string;
  before(async () => {
    dir = await tempDir("launchd-run");
  });
  after(() => removeDir(dir));

  for (const mode of ["ok", "fail", "missing"]) {
    it(`start the original command unchanged after the re-patch (${mode})`, async () => {
      const gatewayLog = path.join(dir, `gateway-${mode}.log`);
      const repatchLog = path.join(dir, `repatch-${mode}.log`);
      const gateway = path.join(dir, "fake node.mjs");
      await fs.writeFile(gateway, `#!${process.execPath}\n${recorderScript(gatewayLog, "gateway")}`, { mode: 0o755 });
      const target: RepatchTarget = { nodePath: process.execPath, cliPath: path.join(dir, `cli-${mode}.mjs`), packageRoot: path.join(dir, "openclaw") };
      if (mode !== "missing") await fakeRepatchCli(target.cliPath, repatchLog);
      const plist = Buffer.from((await fixture("ai.openclaw.gateway.plist")).toString("utf8").replace("/opt/homebrew/bin/node", gateway));
      const argv = programArguments(insertPlistHook(plist, renderLaunchdScript(target, 5)));
      const run = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", env: { ...process.env, FAKE_REPATCH: mode } });
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(await readJsonLines(gatewayLog), [
        { role: "gateway", argv: ["/opt/homebrew/lib/node_modules/openclaw/dist/index.js", "gateway", "--port", "18789"] },
      ]);
      const repatches = await readJsonLines(repatchLog);
      assert.equal(repatches.length, mode === "missing" ? 0 : 1);
      if (mode !== "missing") assert.equal(repatches[0]?.hook, "launchd");
    });
  }
});

describe("LaunchAgent discovery", () => {
  let home: string;
  before(async () => {
    home = await tempDir("launchd-find");
    const dir = path.join(home, "Library", "LaunchAgents");
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, "ai.openclaw.gateway.plist"), await fixture("ai.openclaw.gateway.plist"));
    await fs.writeFile(path.join(dir, "ai.openclaw.work.plist"), await fixture("ai.openclaw.work.plist"));
    await fs.writeFile(path.join(dir, "ai.openclaw.node.plist"), "<plist><dict><key>ProgramArguments</key><array><string>node</string><string>gateway</string></array></dict></plist>");
    await fs.writeFile(path.join(dir, "com.example.other.plist"), "<plist><dict><key>ProgramArguments</key><array><string>gateway</string></array></dict></plist>");
  });
  after(() => removeDir(home));

  it("finds the gateway agents with their profiles, not node hosts or other agents", async () => {
    const found = await findHookServices(hostFor(home, "darwin"));
    assert.deepEqual(
      found.map((s) => [s.name, s.profile]),
      [
        ["ai.openclaw.gateway", null],
        ["ai.openclaw.work", "work"],
      ],
    );
  });
});
