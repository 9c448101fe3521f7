import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPORTED_GATEWAY_VERSION, freshGatewayCopy, nodeVersionForGateway } from '../support/gateway-install.js';
import { ensureNode } from '../support/node-binary.js';
import type { TcpState } from '../support/socket-table.js';
import { gatewayScratchDir, gatewayTestsSkipReason } from './gateway-test-setup.js';
import { VANISH_UNAVAILABLE, describeResults, runZombieScenarios, type ClientResult } from './scenarios.js';

// Long enough for a patched gateway (heartbeat 2 s + pong timeout 2 s + close grace 1 s + slack)
// to have dropped every misbehaving client; the unpatched one must still hold them all.
const WINDOW_MS = 8_000;
const SHUTDOWN_CAP_MS = 40_000;
const TEST_TIMEOUT_MS = 15 * 60_000;

function resultFor(results: readonly ClientResult[], kind: ClientResult['kind']): ClientResult {
  const result = results.find((r) => r.kind === kind);
  assert.ok(result, `no result for ${kind}`);
  return result;
}

function assertHeldIn(result: ClientResult, states: readonly TcpState[]): void {
  assert.ok(result.heldAtEnd, `${result.kind}: the gateway should still hold its socket (the leak)`);
  assert.equal(result.releasedAfterMs, undefined, `${result.kind}: released during the window`);
  assert.ok(
    result.statesAtEnd.length > 0 && result.statesAtEnd.every((state) => states.includes(state)),
    `${result.kind}: gateway-side states ${JSON.stringify(result.statesAtEnd)}, expected one of ${states.join('/')}`,
  );
}

test(
  `unpatched openclaw ${REPORTED_GATEWAY_VERSION} keeps misbehaving WebSocket peers and stalls SIGTERM`,
  { skip: gatewayTestsSkipReason(), timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const scratch = await gatewayScratchDir('baseline');
    t.after(scratch.cleanup);
    const hostTmpDirExisted = existsSync('/tmp/openclaw');
    const nodeBin = await ensureNode(nodeVersionForGateway(REPORTED_GATEWAY_VERSION));
    const packageRoot = await freshGatewayCopy(REPORTED_GATEWAY_VERSION, scratch.dir);

    const result = await runZombieScenarios({
      packageRoot,
      nodeBin,
      scratchDir: join(scratch.dir, 'gateway'),
      windowMs: WINDOW_MS,
      shutdown: { signal: 'SIGTERM', capMs: SHUTDOWN_CAP_MS },
    });

    t.diagnostic(`gateway pid ${result.gateway.pid} port ${result.gateway.port}, ready after ${Math.round(result.gateway.startupMs)} ms, /tmp isolation: ${result.gateway.tmpIsolation}`);
    for (const line of describeResults(result)) t.diagnostic(line);
    t.diagnostic(`fresh healthy connect at end of window: ${result.freshConnectMsAtEnd ?? result.freshConnectError} ms`);
    t.diagnostic(`SIGTERM -> exit after ${Math.round(result.shutdown?.elapsedMs ?? NaN)} ms (code ${result.shutdown?.code}, signal ${result.shutdown?.signal}, forced kill ${result.shutdown?.forcedKill})`);

    const healthy = resultFor(result.clients, 'healthy');
    assert.deepEqual(healthy.statesAtEnd, ['ESTABLISHED']);
    assert.ok(healthy.heldAtEnd, 'healthy client: gateway should hold its socket');
    assert.equal(healthy.observations.closeFrameReceived, false, 'healthy client was sent a close frame');
    assert.equal(healthy.observations.finReceived, false, 'healthy client was sent a FIN');
    assert.notEqual(result.freshConnectMsAtEnd, undefined, `a new client could not connect: ${result.freshConnectError}`);

    assertHeldIn(resultFor(result.clients, 'authenticatedFrozen'), ['ESTABLISHED']);
    const fullWindow = resultFor(result.clients, 'frozenFullWindow');
    assertHeldIn(fullWindow, ['ESTABLISHED']);
    assert.ok(fullWindow.sendQueueAtEnd > 0, `frozenFullWindow: the gateway's answers should be queued in the kernel (sendQ ${fullWindow.sendQueueAtEnd})`);
    if (VANISH_UNAVAILABLE === undefined) assertHeldIn(resultFor(result.clients, 'vanished'), ['ESTABLISHED']);
    else t.diagnostic(`vanished peer left out: ${VANISH_UNAVAILABLE}`);
    assertHeldIn(resultFor(result.clients, 'closeFrameThenNoRead'), ['FIN_WAIT1', 'FIN_WAIT2']);
    // The gateway's handshake timeout (2 s here) has sent its close frame; nothing enforces it.
    assertHeldIn(resultFor(result.clients, 'preAuthFrozen'), ['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2']);
    assertHeldIn(resultFor(result.clients, 'canvasSilent'), ['ESTABLISHED']);
    assertHeldIn(resultFor(result.clients, 'halfUpgrade'), ['ESTABLISHED']);

    const shutdown = result.shutdown;
    assert.ok(shutdown, 'no shutdown measured');
    // Its own 25 s force-exit timer ends the stall; the patched run must exit before 20 s (lifecycle-fix).
    assert.ok(shutdown.elapsedMs >= 20_000, `SIGTERM exit took only ${Math.round(shutdown.elapsedMs)} ms; frozen peers should stall it`);

    if (!hostTmpDirExisted) assert.equal(existsSync('/tmp/openclaw'), false, 'the gateway created /tmp/openclaw on the host');
  },
);

/**
 * The controls for the patched 2026.6.10 and 2026.9.6 runs: the same peers, the same window, no patch.
 * Only the authenticated peers are asserted here: those are the ones each release's own ping was
 * supposed to catch, and the patched runs expect them gone from the kernel by this moment.
 */
const RELEASE_PING_WINDOW_MS = 25_000 + 2_000 + 1_000 + 3_000;
for (const version of ['2026.6.10', '2026.9.6']) {
  test(
    `unpatched openclaw ${version}: its own 25 s ping leaves frozen and vanished peers in the kernel's table`,
    { skip: gatewayTestsSkipReason(), timeout: TEST_TIMEOUT_MS },
    async (t) => {
      const scratch = await gatewayScratchDir(`baseline-${version}`);
      t.after(scratch.cleanup);
      const nodeBin = await ensureNode(nodeVersionForGateway(version));
      const packageRoot = await freshGatewayCopy(version, scratch.dir);
      const kinds = ['healthy', 'authenticatedFrozen', 'frozenFullWindow', ...(VANISH_UNAVAILABLE === undefined ? (['vanished'] as const) : [])] as const;
      const result = await runZombieScenarios({ packageRoot, nodeBin, scratchDir: join(scratch.dir, 'gateway'), windowMs: RELEASE_PING_WINDOW_MS, kinds });
      for (const line of describeResults(result)) t.diagnostic(line);
      assert.deepEqual(resultFor(result.clients, 'healthy').statesAtEnd, ['ESTABLISHED']);
      for (const kind of kinds.filter((k) => k !== 'healthy')) assertHeldIn(resultFor(result.clients, kind), ['ESTABLISHED']);
    },
  );
}
