import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { freshGatewayCopy, nodeVersionForGateway, REPORTED_GATEWAY_VERSION } from "../support/gateway-install.js";
import { startGateway, type RunningGateway } from "../support/gateway-process.js";
import { ensureNode } from "../support/node-binary.js";
import { runCli } from "../support/cli.js";
import { readTcpSockets, type TcpSocketEntry } from "../support/socket-table.js";
import { authenticatedFrozen, closeFrameThenNoRead, healthy, preAuthFrozen, type TestClient } from "../support/ws-clients.js";
import { gatewayScratchDir, gatewayTestsSkipReason } from "./gateway-test-setup.js";

/** Short bounds, given to the gateway and, identically, to the verify process so it expects them. */
const PATCH_ENV = { OPENCLAW_PATCH_HEARTBEAT_MS: "2000", OPENCLAW_PATCH_PONG_TIMEOUT_MS: "2000", OPENCLAW_PATCH_CLOSE_GRACE_MS: "1000" };
/** heartbeat + pong timeout + close grace; the heartbeat also beats the 10 s handshake timeout before auth. */
const EXPECTED_BOUND_MS = 5_000;
const GATEWAY_START_TIMEOUT_MS = 120_000;
const TEST_TIMEOUT_MS = 15 * 60_000;
const SETTLE_MS = 1_000;
const COUNT_ATTEMPTS = 5;

const INDEPENDENT_NAMES: Record<string, string> = { FIN_WAIT1: "FIN_WAIT_1", FIN_WAIT2: "FIN_WAIT_2", NEW_SYN_RECV: "SYN_RECV" };

function countsOnPort(table: readonly TcpSocketEntry[], port: number): { gateway: Record<string, number>; peer: Record<string, number> } {
  const gateway: Record<string, number> = {};
  const peer: Record<string, number> = {};
  for (const row of table) {
    const state = INDEPENDENT_NAMES[row.state] ?? row.state;
    if (row.localPort === port) gateway[state] = (gateway[state] ?? 0) + 1;
    else if (row.remotePort === port && row.state !== "LISTEN") peer[state] = (peer[state] ?? 0) + 1;
  }
  return { gateway, peer };
}

const nonZero = (counts: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

async function verifyLive(root: string, stateDir: string, gateway: RunningGateway) {
  return runCli(["verify", "--dir", root, "--state-dir", stateDir, "--live", "--port", String(gateway.port), "--token", gateway.token, "--json"], { ...PATCH_ENV, OPENCLAW_HANDSHAKE_TIMEOUT_MS: undefined });
}

function describeProbes(label: string, json: any, t: TestContext): void {
  for (const probe of json.live.check.probes) {
    t.diagnostic(
      `${label} ${probe.kind}: ${probe.passed ? "pass" : "FAIL"}; dropped after ${probe.droppedAfterMs ?? "-"} ms by ${probe.droppedBy ?? "-"} (bound ${probe.boundMs} ms, watched ${probe.watchLimitMs} ms); pings ${probe.pings}, close frame after ${probe.closeFrameAfterMs ?? "-"} ms; gateway end at the last look: ${probe.gatewaySideAtEnd?.state ?? "?"}; kernel: ${JSON.stringify(probe.kernel)}`,
    );
  }
}

describe("verify --live against the real gateway", { skip: gatewayTestsSkipReason() }, () => {
  test(`${REPORTED_GATEWAY_VERSION}: fails unpatched, passes patched; status counts agree with the kernel`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const scratch = await gatewayScratchDir("live-verify");
    t.after(scratch.cleanup);
    const nodeBin = await ensureNode(nodeVersionForGateway(REPORTED_GATEWAY_VERSION));
    const root = await freshGatewayCopy(REPORTED_GATEWAY_VERSION, scratch.dir);
    const stateDir = join(scratch.dir, "patch-state");

    // Unpatched: the same short settings in both environments change nothing in the gateway.
    const stock = await startGateway({ packageRoot: root, nodeBin, scratchDir: join(scratch.dir, "gateway-stock"), env: PATCH_ENV, startTimeoutMs: GATEWAY_START_TIMEOUT_MS });
    const clients: TestClient[] = [];
    try {
      const target = { port: stock.port, token: stock.token };
      clients.push(await healthy(target), await authenticatedFrozen(target), await closeFrameThenNoRead(target), await preAuthFrozen(target));
      await sleep(SETTLE_MS);
      let compared = false;
      for (let attempt = 1; attempt <= COUNT_ATTEMPTS && !compared; attempt++) {
        const before = countsOnPort(readTcpSockets(), stock.port);
        const status = await runCli(["status", "--dir", root, "--state-dir", stateDir, "--port", String(stock.port), "--json"]);
        const after = countsOnPort(readTcpSockets(), stock.port);
        assert.equal(status.code, 0, status.stderr);
        // A state can move between the two reads; only a quiet moment is a fair comparison.
        if (JSON.stringify(before) !== JSON.stringify(after) && attempt < COUNT_ATTEMPTS) continue;
        assert.deepEqual(nonZero(status.json.sockets.summary.gatewaySide), after.gateway);
        assert.deepEqual(nonZero(status.json.sockets.summary.peerSide), after.peer);
        assert.equal(status.json.sockets.summary.listening, after.gateway.LISTEN);
        assert.ok(status.json.sockets.gatewayProcesses.some((p: { pid: number }) => p.pid === stock.pid), `the gateway (pid ${stock.pid}) owns its end: ${JSON.stringify(status.json.sockets.gatewayProcesses)}`);
        assert.equal(status.json.sockets.fixApplied, false);
        t.diagnostic(`status on the stock gateway: gateway side ${JSON.stringify(after.gateway)}, peer side ${JSON.stringify(after.peer)}; verdict: ${status.json.sockets.verdict.line}`);
        compared = true;
      }
      for (const client of clients.splice(0)) client.destroy();

      const unpatched = await verifyLive(root, stateDir, stock);
      assert.ok(unpatched.json, unpatched.stdout + unpatched.stderr);
      describeProbes("unpatched", unpatched.json, t);
      assert.equal(unpatched.code, 1, "verify --live fails against the unpatched gateway");
      assert.equal(unpatched.json.ok, false);
      assert.equal(unpatched.json.live.promise, "fixes-not-installed");
      assert.deepEqual(unpatched.json.live.check.probes.map((p: { kind: string }) => p.kind), ["pre-auth", "authenticated"]);
      for (const probe of unpatched.json.live.check.probes) {
        assert.equal(probe.setupError, undefined, JSON.stringify(probe.setupError));
        assert.equal(probe.passed, false);
        assert.equal(probe.droppedAfterMs, null, `${probe.kind}: the stock gateway let go after ${probe.droppedAfterMs} ms`);
        assert.equal(probe.pings, 0, "2026.3.24 never pings");
      }
    } finally {
      for (const client of clients) client.destroy();
      await stock.stop("SIGKILL");
    }

    const applied = await runCli(["apply", "--dir", root, "--state-dir", stateDir, "--json"]);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const fixed = await startGateway({ packageRoot: root, nodeBin, scratchDir: join(scratch.dir, "gateway-fixed"), env: PATCH_ENV, startTimeoutMs: GATEWAY_START_TIMEOUT_MS });
    try {
      const patched = await verifyLive(root, stateDir, fixed);
      assert.ok(patched.json, patched.stdout + patched.stderr);
      describeProbes("patched", patched.json, t);
      assert.equal(patched.code, 0, JSON.stringify(patched.json.live.check, null, 2));
      assert.equal(patched.json.ok, true);
      assert.equal(patched.json.live.promise, "installed-fixes");
      for (const probe of patched.json.live.check.probes) {
        assert.equal(probe.boundMs, EXPECTED_BOUND_MS, `${probe.kind}: ${probe.basis}`);
        assert.ok(probe.droppedAfterMs !== null && probe.droppedAfterMs <= probe.boundMs + probe.toleranceMs, `${probe.kind}: dropped after ${probe.droppedAfterMs} ms`);
        assert.ok(probe.pings >= 1, `${probe.kind}: the fix pinged the silent peer`);
      }
      assert.doesNotMatch(fixed.logs(), /OCP_RUNTIME_(UNAVAILABLE|HOOK_FAILED)/);
    } finally {
      await fixed.stop("SIGKILL");
    }
  });
});
