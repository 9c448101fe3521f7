import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isOcpError } from "../../src/core/diagnostics.js";
import { parseRelease, type ReleaseVersion } from "../../src/core/release.js";
import { DEFAULT_RUNTIME_CONFIG } from "../../src/runtime/contract.js";
import { boundSettings } from "../../src/live/bound-settings.js";
import { passToleranceMs, pingOwnerFor, probeBounds, watchMarginMs } from "../../src/live/bounds.js";
import { loopbackHost } from "../../src/live/loopback-host.js";

const release = (raw: string): ReleaseVersion => parseRelease(raw)!;
const RECORDED = { ...DEFAULT_RUNTIME_CONFIG, heartbeatMs: 20_000, pongTimeoutMs: 5_000, closeGraceMs: 1_500 };

describe("the settings a live bound is built from", () => {
  test("flag, then this environment, then the install record, then the default", () => {
    const env = { OPENCLAW_PATCH_HEARTBEAT_MS: "2000", OPENCLAW_PATCH_PONG_TIMEOUT_MS: "2000" };
    const { settings, diagnostics } = boundSettings({ release: release("2026.3.24"), recorded: RECORDED, env, flags: { heartbeatMs: "3000" } });
    assert.deepEqual(diagnostics, []);
    assert.deepEqual([settings.heartbeatMs.ms, settings.heartbeatMs.source], [3000, "--heartbeat-ms"]);
    assert.deepEqual([settings.pongTimeoutMs.ms, settings.pongTimeoutMs.source], [2000, "OPENCLAW_PATCH_PONG_TIMEOUT_MS in this environment"]);
    assert.deepEqual([settings.closeGraceMs.ms, settings.closeGraceMs.source], [1500, "the install record (apply time)"]);
    const unpatched = boundSettings({ release: release("2026.3.24"), env: {}, flags: {} }).settings;
    assert.deepEqual([unpatched.closeGraceMs.ms, unpatched.closeGraceMs.source], [DEFAULT_RUNTIME_CONFIG.closeGraceMs, "openclaw-patch default"]);
  });

  test("the handshake timeout: environment, config, else the release's default, and says it assumed", () => {
    const old = boundSettings({ release: release("2026.3.24"), env: {}, flags: {} }).settings.handshakeTimeoutMs;
    assert.equal(old.ms, 10_000);
    assert.match(old.source, /^assumed: the default of OpenClaw 2026\.3\.24/);
    assert.equal(boundSettings({ release: release("2026.9.6"), env: {}, flags: {} }).settings.handshakeTimeoutMs.ms, 15_000);
    assert.equal(boundSettings({ release: release("2026.4.29"), env: {}, flags: {} }).settings.handshakeTimeoutMs.ms, 15_000);
    assert.equal(boundSettings({ release: release("2026.4.27"), env: {}, flags: {} }).settings.handshakeTimeoutMs.ms, 10_000);
    const fromEnv = boundSettings({ release: release("2026.3.24"), env: { OPENCLAW_HANDSHAKE_TIMEOUT_MS: "4000" }, flags: {}, configHandshakeTimeoutMs: { ms: 9000, file: "/c.json" } }).settings.handshakeTimeoutMs;
    assert.deepEqual([fromEnv.ms, fromEnv.source.startsWith("OPENCLAW_HANDSHAKE_TIMEOUT_MS")], [4000, true]);
    const fromConfig = boundSettings({ release: release("2026.9.6"), env: {}, flags: {}, configHandshakeTimeoutMs: { ms: 9000, file: "/c.json" } }).settings.handshakeTimeoutMs;
    assert.deepEqual([fromConfig.ms, fromConfig.source], [9000, "gateway.handshakeTimeoutMs in /c.json"]);
  });

  test("a bad environment value is ignored with a warning; a bad flag is a usage error", () => {
    const { settings, diagnostics } = boundSettings({ release: release("2026.3.24"), recorded: RECORDED, env: { OPENCLAW_PATCH_HEARTBEAT_MS: "fast" }, flags: {} });
    assert.equal(settings.heartbeatMs.ms, 20_000);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]), [["OCP_LIVE_ENV_IGNORED", "warning"]]);
    assert.throws(() => boundSettings({ release: release("2026.3.24"), env: {}, flags: { closeGraceMs: "-1" } }), (e: unknown) => isOcpError(e) && e.diagnostic.code === "OCP_BAD_OPTION");
  });
});

describe("the bound each probe is held to", () => {
  const settings = boundSettings({ release: release("2026.3.24"), env: { OPENCLAW_PATCH_HEARTBEAT_MS: "2000", OPENCLAW_PATCH_PONG_TIMEOUT_MS: "2000", OPENCLAW_PATCH_CLOSE_GRACE_MS: "1000" }, flags: {} }).settings;

  test("who pings: the runtime up to 2026.5.1, the release from 2026.5.2 (its pong enforced by the fix)", () => {
    assert.equal(pingOwnerFor(release("2026.3.24")), "runtime-heartbeat");
    assert.equal(pingOwnerFor(release("2026.5.2")), "release-ping");
    assert.equal(pingOwnerFor(release("2026.7.35")), "release-ping");
    assert.equal(pingOwnerFor(release("2026.8.1")), "release-ping");
    assert.equal(pingOwnerFor(release("2026.9.6")), "release-ping");
  });

  test("runtime heartbeat: ping + pong + grace, and it also bounds a pre-auth peer when shorter than the handshake", () => {
    const bounds = probeBounds(settings, "runtime-heartbeat");
    assert.equal(bounds.authenticated.boundMs, 5_000);
    assert.equal(bounds["pre-auth"].boundMs, 5_000);
    assert.match(bounds["pre-auth"].basis, /handshake timeout 10000 ms/);
    const defaults = boundSettings({ release: release("2026.3.24"), env: {}, flags: {} }).settings;
    const slow = probeBounds(defaults, "runtime-heartbeat");
    assert.equal(slow["pre-auth"].boundMs, 10_000 + DEFAULT_RUNTIME_CONFIG.closeGraceMs);
    assert.equal(slow.authenticated.boundMs, DEFAULT_RUNTIME_CONFIG.heartbeatMs + DEFAULT_RUNTIME_CONFIG.pongTimeoutMs + DEFAULT_RUNTIME_CONFIG.closeGraceMs);
  });

  test("the release's ping sets its own period", () => {
    assert.equal(probeBounds(settings, "release-ping").authenticated.boundMs, 25_000 + 2_000 + 1_000);
    assert.equal(probeBounds(settings, "release-ping")["pre-auth"].boundMs, 10_000 + 1_000);
  });

  test("tolerance and watch margin grow with the bound", () => {
    assert.equal(passToleranceMs(5_000), 1_000);
    assert.equal(passToleranceMs(42_000), 4_200);
    assert.equal(watchMarginMs(5_000), 5_000);
    assert.equal(watchMarginMs(42_000), 21_000);
  });
});

describe("loopback only", () => {
  test("accepts 127.x, ::1 and localhost; refuses anything else", () => {
    assert.equal(loopbackHost(undefined), "127.0.0.1");
    assert.equal(loopbackHost("localhost"), "127.0.0.1");
    assert.equal(loopbackHost("127.0.0.2"), "127.0.0.2");
    assert.equal(loopbackHost("[::1]"), "::1");
    for (const host of ["10.0.0.1", "example.com", "0.0.0.0", "::", "192.168.1.1"]) {
      assert.throws(() => loopbackHost(host), (e: unknown) => isOcpError(e) && e.diagnostic.code === "OCP_BAD_OPTION", host);
    }
  });
});
