import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { isOcpError } from "../../src/core/diagnostics.js";
import type { RepatchTarget } from "../../src/hook/repatch.js";
import { hasCmdHook, insertCmdHook, removeCmdHook, renderCmdHookLine } from "../../src/hook/mechanisms/schtasks.js";
import { findHookServices } from "../../src/hook/services.js";
import { fixture, hostFor, removeDir, tempDir } from "./helpers.js";

const TARGET: RepatchTarget = {
  nodePath: "C:\\Program Files\\nodejs\\node.exe",
  cliPath: "C:\\Users\\tester\\AppData\\Roaming\\npm\\node_modules\\openclaw-patch\\build\\src\\cli.js",
  packageRoot: "C:\\Users\\tester\\AppData\\Roaming\\npm\\node_modules\\openclaw",
  stateDir: "C:\\Users\\tester\\.openclaw-patch",
};

/**
 * How every OpenClaw release reads gateway.cmd back (`gateway status`, doctor): skip blank,
 * `@echo`, `rem`, `set` and `cd /d` lines; the first other line is the gateway command.
 */
function gatewayCommandAsOpenClawReadsIt(text: string): string | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const lower = line.toLowerCase();
    if (!line || line.startsWith("@echo") || lower.startsWith("rem ") || lower.startsWith("set ") || lower.startsWith("cd /d ")) continue;
    return line;
  }
  return undefined;
}

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isOcpError(error)) return error.diagnostic.code;
    throw error;
  }
  return undefined;
}

describe("gateway.cmd edit", () => {
  for (const name of ["gateway.cmd", "gateway-lf.cmd"]) {
    it(`round-trips ${name} byte for byte`, async () => {
      const original = await fixture(name);
      assert.equal(hasCmdHook(original), false);
      const edited = insertCmdHook(original, renderCmdHookLine(TARGET));
      assert.equal(hasCmdHook(edited), true);
      const restored = removeCmdHook(edited);
      assert.ok(restored?.equals(original), "restored bytes differ from the fixture");
    });

    it(`leaves OpenClaw's reading of ${name} unchanged`, async () => {
      const original = await fixture(name);
      const edited = insertCmdHook(original, renderCmdHookLine(TARGET));
      assert.equal(gatewayCommandAsOpenClawReadsIt(edited.toString("latin1")), gatewayCommandAsOpenClawReadsIt(original.toString("latin1")));
    });
  }

  it("inserts exactly one CRLF line right before the gateway command of a CRLF file", async () => {
    const original = (await fixture("gateway.cmd")).toString("latin1");
    const edited = insertCmdHook(Buffer.from(original, "latin1"), renderCmdHookLine(TARGET)).toString("latin1");
    const lines = edited.split("\r\n");
    const gatewayIndex = lines.findIndex((l) => l.includes("dist\\index.js"));
    assert.equal(lines[gatewayIndex - 1], renderCmdHookLine(TARGET));
    assert.equal(edited.replace(/\r\n/g, "").includes("\n"), false, "no bare LF introduced");
    assert.equal(edited.length, original.length + renderCmdHookLine(TARGET).length + 2);
  });

  it("uses LF in an LF file", async () => {
    const edited = insertCmdHook(await fixture("gateway-lf.cmd"), renderCmdHookLine(TARGET)).toString("latin1");
    assert.ok(edited.includes(`${renderCmdHookLine(TARGET)}\nC:\\node\\node.exe`));
    assert.equal(edited.includes("\r"), false);
  });

  it("runs the re-patch only when openclaw-patch is there, with its output away from the task's stdout", () => {
    const line = renderCmdHookLine(TARGET);
    assert.match(line, /^@echo off & if exist "C:\\Users\\tester\\AppData\\Roaming\\npm\\node_modules\\openclaw-patch\\build\\src\\cli\.js" "C:\\Program Files\\nodejs\\node\.exe" /);
    assert.match(line, / apply --if-needed --dir "C:\\Users\\tester\\AppData\\Roaming\\npm\\node_modules\\openclaw" --state-dir "C:\\Users\\tester\\\.openclaw-patch" 1>&2 & rem openclaw-patch-hook: /);
  });

  it("refuses a second hook, UTF-16 files, non-ASCII paths and files without a command", async () => {
    const edited = insertCmdHook(await fixture("gateway.cmd"), renderCmdHookLine(TARGET));
    assert.equal(errorCode(() => insertCmdHook(edited, renderCmdHookLine(TARGET))), "OCP_HOOK_ALREADY_PRESENT");
    assert.equal(errorCode(() => insertCmdHook(Buffer.from([0xff, 0xfe, 0x40, 0x00]), renderCmdHookLine(TARGET))), "OCP_HOOK_CMD_UNSUPPORTED");
    assert.equal(errorCode(() => insertCmdHook(edited, renderCmdHookLine({ ...TARGET, cliPath: "C:\\Users\\Zoë\\cli.js" }))), "OCP_HOOK_CMD_NON_ASCII");
    assert.equal(errorCode(() => insertCmdHook(Buffer.from("@echo off\r\nrem nothing\r\n"), renderCmdHookLine(TARGET))), "OCP_HOOK_CMD_UNRECOGNIZED");
  });
});

describe("gateway.cmd discovery", () => {
  let home: string;
  before(async () => {
    home = await tempDir("schtasks-find");
    for (const dir of [".openclaw", ".openclaw-work", ".openclaw-patch"]) await fs.mkdir(path.join(home, dir));
    await fs.writeFile(path.join(home, ".openclaw", "gateway.cmd"), await fixture("gateway.cmd"));
    await fs.writeFile(path.join(home, ".openclaw-work", "gateway.cmd"), await fixture("gateway-lf.cmd"));
  });
  after(() => removeDir(home));

  it("finds gateway.cmd in the default and profile state folders", async () => {
    const found = await findHookServices(hostFor(home, "win32"));
    assert.deepEqual(
      found.map((s) => [path.relative(home, s.path), s.profile]),
      [
        [path.join(".openclaw", "gateway.cmd"), null],
        [path.join(".openclaw-work", "gateway.cmd"), "work"],
      ],
    );
  });

  it("honours OPENCLAW_TASK_SCRIPT", async () => {
    const custom = path.join(home, "custom.cmd");
    await fs.writeFile(custom, await fixture("gateway.cmd"));
    const found = await findHookServices(hostFor(home, "win32", { OPENCLAW_TASK_SCRIPT: custom }));
    assert.equal(found[0]?.path, custom);
  });
});
