import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseGatewayCmd, parseLaunchdPlist, parseSystemdExecStarts } from "../../src/locate/index.js";
import { fixture, xmlEscape } from "./helpers/fixtures.js";

const HOME = "/home/op";

describe("parseSystemdExecStarts", () => {
  it("reads a 2026.3-style unit", () => {
    const unit = fixture("services/openclaw-gateway.service", { ROOT: "/usr/lib/node_modules/openclaw", HOME });
    assert.deepEqual(parseSystemdExecStarts([unit], HOME).commands, [
      ["/usr/bin/node", "/usr/lib/node_modules/openclaw/dist/index.js", "gateway", "--port", "18789"],
    ]);
  });

  it("joins continuation lines and unquotes a path with spaces after a wrapper", () => {
    const unit = fixture("services/openclaw-gateway-work.service", { ROOT: "/opt/Open Claw/openclaw", HOME });
    assert.deepEqual(parseSystemdExecStarts([unit], HOME).commands, [
      [`${HOME}/.local/bin/openclaw-wrapper`, "/usr/bin/node", "/opt/Open Claw/openclaw/dist/entry.js", "gateway", "--port", "18790"],
    ]);
  });

  it("lets a drop-in reset ExecStart= and expands %h", () => {
    const unit = fixture("services/openclaw-gateway-work.service", { ROOT: "/opt/openclaw", HOME });
    const dropIn = fixture("services/openclaw-gateway-work.service.d/override.conf", { ROOT_UNDER_HOME: ".npm-global/lib/node_modules/openclaw" });
    assert.deepEqual(parseSystemdExecStarts([unit, dropIn], HOME).commands, [
      ["/usr/bin/node", `${HOME}/.npm-global/lib/node_modules/openclaw/dist/entry.js`, "gateway", "--port", "18791"],
    ]);
  });

  it("handles prefixes, escapes, ${VAR} from Environment= and ignores other sections", () => {
    const unit = [
      "[Unit]",
      "ExecStart=/decoy/openclaw/dist/index.js",
      "[Service]",
      'Environment="PKG=/srv/open claw"',
      "ExecStart=-@/usr/bin/node node ${PKG}/dist/index.js 'a b' c\\x20d 100%%",
    ].join("\n");
    assert.deepEqual(parseSystemdExecStarts([unit], HOME).commands, [
      ["/usr/bin/node", "node", "/srv/open claw/dist/index.js", "a b", "c d", "100%"],
    ]);
  });
});

describe("parseLaunchdPlist", () => {
  it("reads Label and ProgramArguments of a 2026.3-style plist", () => {
    const plist = parseLaunchdPlist(fixture("services/ai.openclaw.gateway.plist", { ROOT: "/opt/homebrew/lib/node_modules/openclaw", HOME: "/Users/op" }));
    assert.deepEqual(plist, {
      ok: true,
      label: "ai.openclaw.gateway",
      programArguments: ["/opt/homebrew/bin/node", "/opt/homebrew/lib/node_modules/openclaw/dist/index.js", "gateway", "--port", "18789"],
    });
  });

  it("decodes entities, skips comments and keeps the 2026.9 env wrapper arguments", () => {
    const root = "/Users/op/R&D <tools>/openclaw";
    const plist = parseLaunchdPlist(fixture("services/ai.openclaw.work.plist", { ROOT_XML: xmlEscape(root), HOME: "/Users/op" }));
    assert.ok(plist.ok);
    assert.equal(plist.label, "ai.openclaw.work");
    assert.equal(plist.programArguments[0], "/bin/sh");
    assert.equal(plist.programArguments[4], `${root}/dist/entry.js`);
    assert.ok(!plist.programArguments.some((arg) => arg.includes("decoy")));
  });

  it("refuses binary plists and plists without arguments", () => {
    assert.equal(parseLaunchdPlist("bplist00\u0000\u0001").ok, false);
    assert.deepEqual(parseLaunchdPlist('<plist version="1.0"><dict><key>Label</key><string>x</string></dict></plist>'), {
      ok: false,
      reason: "has no ProgramArguments",
    });
    assert.deepEqual(parseLaunchdPlist('<plist><dict><key>Program</key><string>/usr/bin/x</string><array><string/></array></dict></plist>'), {
      ok: true,
      programArguments: ["/usr/bin/x"],
    });
  });
});

describe("parseGatewayCmd", () => {
  const HOME_WIN = "C:\\Users\\op";

  it("reads the command line of a CRLF 2026.3-style gateway.cmd", () => {
    const text = fixture("services/gateway.cmd", { ROOT: "C:\\Users\\op\\AppData\\Roaming\\npm\\node_modules\\openclaw", HOME: HOME_WIN });
    assert.ok(text.includes("\r\n"));
    assert.deepEqual(parseGatewayCmd(text, `${HOME_WIN}\\.openclaw`, {}).commands, [
      ["C:\\Program Files\\nodejs\\node.exe", "C:\\Users\\op\\AppData\\Roaming\\npm\\node_modules\\openclaw\\dist\\index.js", "gateway", "--port", "18789"],
    ]);
  });

  it("expands set variables, unescapes %% and ^!, and stops at the < NUL redirection", () => {
    const text = fixture("services/gateway-9x.cmd", { ROOT: "D:\\Open Claw\\openclaw", HOME: HOME_WIN });
    const [command] = parseGatewayCmd(text, `${HOME_WIN}\\.openclaw-work`, {}).commands;
    assert.deepEqual(command, ["C:\\Program Files\\nodejs\\node.exe", "D:\\Open Claw\\openclaw\\dist\\entry.js", "gateway", "--port", "18790", "--task-supervisor"]);
  });

  it("expands environment variables case-insensitively and %~dp0", () => {
    const text = '@echo off\r\n"%ProgramFiles%\\nodejs\\node.exe" "%~dp0app\\dist\\index.js" gateway\r\n';
    const [command] = parseGatewayCmd(text, "C:\\svc", { PROGRAMFILES: "C:\\Program Files" }).commands;
    assert.deepEqual(command, ["C:\\Program Files\\nodejs\\node.exe", "C:\\svc\\app\\dist\\index.js", "gateway"]);
  });
});
