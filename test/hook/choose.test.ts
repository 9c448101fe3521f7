import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { isOcpError } from "../../src/core/diagnostics.js";
import { chooseMechanism } from "../../src/hook/choose.js";
import type { HookFacts } from "../../src/hook/driver.js";
import { gatherFacts } from "../../src/hook/facts.js";
import { supportsWrapper } from "../../src/hook/mechanisms/wrapper.js";
import type { ServiceDefinition } from "../../src/locate/service/gateway-services.js";
import { contextFor, fakeOpenClawPackage, fixture, recordingRunner, removeDir, tempDir, targetIn } from "./helpers.js";

const UNIT: ServiceDefinition = { kind: "systemd", name: "openclaw-gateway.service", path: "/h/.config/systemd/user/openclaw-gateway.service", profile: null, legacy: false };
const PLIST: ServiceDefinition = { kind: "launchd", name: "ai.openclaw.gateway", path: "/h/Library/LaunchAgents/ai.openclaw.gateway.plist", profile: null, legacy: false };
const TASK: ServiceDefinition = { kind: "schtasks", name: "gateway.cmd", path: "C:\\Users\\h\\.openclaw\\gateway.cmd", profile: null, legacy: false };

function facts(platform: NodeJS.Platform, version: string | null, service: ServiceDefinition | null, extra: Partial<HookFacts> = {}): HookFacts {
  return { platform, openclawVersion: version, wrapperSupported: supportsWrapper(version), service, ...extra };
}

describe("wrapper support by release", () => {
  it("starts at 2026.4.26 (the first checked release that has it); prereleases of it and unknown versions do not count", () => {
    for (const v of ["2026.4.26", "2026.5.2", "2026.7.1-2", "2026.9.6"]) assert.equal(supportsWrapper(v), true, v);
    for (const v of ["2026.1.29", "2026.3.24", "2026.4.5", "2026.4.26-beta.1", "garbage"]) assert.equal(supportsWrapper(v), false, v);
    assert.equal(supportsWrapper(null), false);
  });
});

describe("chooseMechanism", () => {
  const cases: Array<[string, HookFacts, string]> = [
    ["Linux, systemd unit, old release", facts("linux", "2026.3.24", UNIT), "systemd"],
    ["Linux, systemd unit, wrapper-capable release", facts("linux", "2026.9.6", UNIT), "systemd"],
    ["Linux, no service", facts("linux", "2026.9.6", null), "none"],
    ["macOS, LaunchAgent, 2026.9.6", facts("darwin", "2026.9.6", PLIST), "wrapper"],
    ["macOS, LaunchAgent, 2026.4.26", facts("darwin", "2026.4.26", PLIST), "wrapper"],
    ["macOS, LaunchAgent, 2026.4.5", facts("darwin", "2026.4.5", PLIST), "launchd"],
    ["macOS, LaunchAgent, version unknown", facts("darwin", null, PLIST), "launchd"],
    ["macOS, LaunchAgent already using another wrapper", facts("darwin", "2026.9.6", PLIST, { serviceWrapper: "/usr/local/bin/doppler-shim" }), "launchd"],
    ["macOS, LaunchAgent already using our wrapper", facts("darwin", "2026.9.6", PLIST, { serviceWrapper: "/s/hook/w.sh", ownWrapperPath: "/s/hook/w.sh" }), "wrapper"],
    ["macOS, no service", facts("darwin", "2026.9.6", null), "none"],
    ["Windows, gateway.cmd, 2026.9.6", facts("win32", "2026.9.6", TASK), "wrapper"],
    ["Windows, gateway.cmd, 2026.2.1", facts("win32", "2026.2.1", TASK), "schtasks"],
    ["Windows, no service", facts("win32", "2026.9.6", null), "none"],
  ];
  for (const [title, input, expected] of cases) {
    it(`${title} → ${expected}`, () => {
      const choice = chooseMechanism(input);
      assert.equal(choice.mechanism, expected);
      assert.ok(choice.reason.length > 20);
      assert.equal(choice.alternatives.length, 4);
      assert.ok(!choice.alternatives.some((a) => a.mechanism === expected));
    });
  }

  it("says why the wrapper was not used", () => {
    const old = chooseMechanism(facts("darwin", "2026.3.24", PLIST));
    assert.match(old.alternatives.find((a) => a.mechanism === "wrapper")?.reason ?? "", /2026\.3\.24 has no OPENCLAW_WRAPPER support/);
    const foreign = chooseMechanism(facts("darwin", "2026.9.6", PLIST, { serviceWrapper: "/usr/local/bin/shim" }));
    assert.match(foreign.alternatives.find((a) => a.mechanism === "wrapper")?.reason ?? "", /another wrapper \(\/usr\/local\/bin\/shim\)/);
  });

  it("honours an available requested mechanism and refuses an unavailable one", () => {
    assert.equal(chooseMechanism(facts("linux", "2026.9.6", UNIT), "wrapper").mechanism, "wrapper");
    assert.equal(chooseMechanism(facts("linux", "2026.9.6", UNIT), "none").mechanism, "none");
    assert.throws(
      () => chooseMechanism(facts("linux", "2026.3.24", UNIT), "wrapper"),
      (e: unknown) => isOcpError(e) && e.diagnostic.code === "OCP_HOOK_MECHANISM_UNAVAILABLE" && /no OPENCLAW_WRAPPER support/.test(e.diagnostic.message),
    );
    assert.throws(() => chooseMechanism(facts("linux", "2026.9.6", UNIT), "launchd"), (e: unknown) => isOcpError(e) && e.diagnostic.code === "OCP_HOOK_MECHANISM_UNAVAILABLE");
  });
});

describe("gatherFacts", () => {
  let home: string;
  before(async () => {
    home = await tempDir("facts");
  });
  after(() => removeDir(home));

  it("reads the release from package.json and a wrapper already in the LaunchAgent", async () => {
    const target = targetIn(home);
    await fakeOpenClawPackage(target.packageRoot, "2026.9.6", path.join(home, "gw.log"));
    const agents = path.join(home, "Library", "LaunchAgents");
    await fs.mkdir(agents, { recursive: true });
    const plist = (await fixture("ai.openclaw.gateway.plist"))
      .toString("utf8")
      .replace("<key>HOME</key>", "<key>OPENCLAW_WRAPPER</key>\n      <string>/Users/tester/bin/secrets &amp; run</string>\n      <key>HOME</key>");
    await fs.writeFile(path.join(agents, "ai.openclaw.gateway.plist"), plist);
    const found = await gatherFacts(contextFor(home, "darwin", recordingRunner().runner), target, {});
    assert.equal(found.openclawVersion, "2026.9.6");
    assert.equal(found.wrapperSupported, true);
    assert.equal(found.service?.name, "ai.openclaw.gateway");
    assert.equal(found.serviceWrapper, "/Users/tester/bin/secrets & run");
    assert.equal(chooseMechanism(found).mechanism, "launchd");
  });
});
