import assert from 'node:assert/strict';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { FAST_PATCH_ENV, SCENARIO_DEFAULT_ENV } from '../gateway/scenarios.js';
import { REPORTED_GATEWAY_VERSION } from '../support/gateway-install.js';
import { gatewaySideSockets, readTcpSockets, socketInodesOfProcess, type TcpSocketEntry } from '../support/socket-table.js';
import * as clients from '../support/ws-clients.js';
import type { ClientKind, GatewayTarget, TestClient } from '../support/ws-clients.js';
import { startWinGateway, type WinGateway } from '../support/wine-gateway.js';
import { laneVersions, runCliWin, runWine, startWineserver, stopWineserver, wineLane, wineserverPids } from '../support/wine.js';
import { resetWindowsUser, windowsUserInstall, type WindowsInstall } from '../support/windows-layout.js';

const lane = wineLane();

/**
 * The misbehaving peers of test/gateway/scenarios.ts, from the Linux side, against the win32 gateway.
 * (The vanished peer needs nftables rules on the host and is covered by the Linux lane.)
 */
const KINDS: readonly ClientKind[] = ['healthy', 'authenticatedFrozen', 'frozenFullWindow', 'closeFrameThenNoRead', 'preAuthFrozen', 'canvasSilent', 'halfUpgrade'];
/** heartbeat 2 s + pong timeout 2 s + close grace 1 s + 3 s: the bound the patched gateway promises here. */
const WINDOW_MS = 8_000;
const SAMPLE_MS = 250;
const PATCH_ENV = { ...FAST_PATCH_ENV, OPENCLAW_PATCH_HEADERS_TIMEOUT_MS: '2000' };

interface PeerEnd {
  kind: ClientKind;
  clientPort: number;
  /** Gateway-side rows in the kernel's table (ss / /proc/net/tcp) at the end of the window. */
  states: string[];
  sendQueue: number;
  /** A socket fd of the node.exe process or of the prefix's wineserver still refers to it. */
  held: boolean;
  /** Gateway-side rows Wine's netstat printed for this peer at the end of the window. */
  netstatRows: string[];
}

interface LiveRun {
  gateway: WinGateway;
  ends: PeerEnd[];
  ssLines: string[];
  netstatLines: string[];
  status: any;
}

/** Sockets held as fds by node.exe or the wineserver (Wine keeps a socket's fd in both). */
function heldInodes(pid: number): Set<number> {
  const inodes = socketInodesOfProcess(pid);
  for (const server of wineserverPids()) for (const inode of socketInodesOfProcess(server)) inodes.add(inode);
  return inodes;
}

function ssLinesFor(port: number, table: readonly TcpSocketEntry[]): string[] {
  return table
    .filter((entry) => entry.localPort === port || entry.remotePort === port)
    .map((entry) => `${entry.state.padEnd(12)} ${entry.family === 6 ? '[::1]' : '127.0.0.1'}:${entry.localPort} -> :${entry.remotePort} sendQ=${entry.sendQueue}${entry.inode === 0 ? ' (no owner)' : ''}`);
}

async function liveRun(install: WindowsInstall, label: string, env: Record<string, string>): Promise<LiveRun> {
  const gateway = await startWinGateway({ packageRoot: install.packageRoot, stateDir: join(install.lane.profileDir, '.openclaw', label), env: { ...SCENARIO_DEFAULT_ENV, ...env }, laneEnv: install.env });
  const target: GatewayTarget = { port: gateway.port, token: gateway.token };
  const peers: TestClient[] = [];
  try {
    for (const kind of KINDS) peers.push(await clients[kind](target));
    const end = performance.now() + WINDOW_MS;
    for (let i = 0; performance.now() < end && i < WINDOW_MS / SAMPLE_MS + 10; i++) await sleep(SAMPLE_MS);
    const held = heldInodes(gateway.pid);
    const table = readTcpSockets();
    const byPort = gatewaySideSockets(gateway.port, peers.map((p) => p.localPort), table);
    const netstat = await runWine('netstat', ['-ano'], { timeoutMs: 60_000 });
    assert.equal(netstat.code, 0, netstat.stderr);
    const netstatLines = netstat.stdout.split(/\r?\n/).filter((line) => line.includes(`:${gateway.port} `)).map((line) => line.trimEnd());
    const status = await runCliWin(['status', '--port', String(gateway.port), '--json'], { env: install.env });
    const ends = peers.map((peer): PeerEnd => {
      const rows = byPort.get(peer.localPort) ?? [];
      return {
        kind: peer.kind,
        clientPort: peer.localPort,
        states: rows.map((r) => r.state),
        sendQueue: rows.reduce((sum, r) => sum + r.sendQueue, 0),
        held: rows.some((r) => r.inode !== 0 && held.has(r.inode)),
        netstatRows: netstatLines.filter((line) => new RegExp(`^\\s*TCP\\s+\\S+:${gateway.port}\\s+\\S+:${peer.localPort}\\s`).test(line)),
      };
    });
    return { gateway, ends, ssLines: ssLinesFor(gateway.port, table), netstatLines, status: status.json };
  } finally {
    for (const peer of peers) peer.destroy();
    await gateway.kill();
  }
}

function report(t: { diagnostic(line: string): void }, title: string, run: LiveRun): void {
  t.diagnostic(`${title}: gateway pid ${run.gateway.pid} port ${run.gateway.port}, listening after ${Math.round(run.gateway.startupMs)} ms`);
  for (const end of run.ends) {
    t.diagnostic(`  ${end.kind.padEnd(22)} ss: ${end.states.join('+') || 'gone'}${end.held ? ' (held)' : ''} sendQ=${end.sendQueue}; netstat: ${end.netstatRows.map((r) => r.trim().split(/\s+/)[3]).join('+') || '-'}`);
  }
  t.diagnostic(`  wine netstat -ano (port ${run.gateway.port}):`);
  for (const line of run.netstatLines) t.diagnostic(`    ${line.trim()}`);
  t.diagnostic(`  ss (port ${run.gateway.port}):`);
  for (const line of run.ssLines) t.diagnostic(`    ${line}`);
  t.diagnostic(`  status verdict: ${run.status?.sockets?.verdict?.line}`);
}

function endOf(run: LiveRun, kind: ClientKind): PeerEnd {
  const end = run.ends.find((e) => e.kind === kind);
  assert.ok(end, `no result for ${kind}`);
  return end;
}

describe(`win32: the real openclaw ${REPORTED_GATEWAY_VERSION} gateway under the Windows Node 22, misbehaving peers from Linux`, { skip: lane.skip ?? false, timeout: 30 * 60_000 }, () => {
  let install: WindowsInstall;

  before(async () => {
    startWineserver();
    install = await windowsUserInstall(REPORTED_GATEWAY_VERSION);
  });
  after(async () => {
    await resetWindowsUser();
    stopWineserver();
  });

  test('unpatched: it holds every misbehaving peer past the bound, in ss and in netstat -ano', async (t) => {
    t.diagnostic(laneVersions());
    const run = await liveRun(install, 'unpatched', {});
    report(t, 'unpatched', run);
    const healthy = endOf(run, 'healthy');
    assert.deepEqual(healthy.states, ['ESTABLISHED']);
    for (const kind of KINDS.filter((k) => k !== 'healthy')) {
      const end = endOf(run, kind);
      assert.ok(end.states.length > 0 && end.states.every((s) => s !== 'TIME_WAIT'), `${kind}: the gateway's end should still be in the kernel's table (${end.states.join(',') || 'gone'})`);
      assert.ok(end.held, `${kind}: the gateway should still hold its socket`);
      // Wine's netstat prints ESTABLISHED rows; FIN_WAIT rows it leaves out (see the status test).
      if (end.states.includes('ESTABLISHED')) assert.ok(end.netstatRows.some((r) => /ESTABLISHED/.test(r)), `${kind}: netstat -ano lists it`);
    }
    assert.ok(endOf(run, 'frozenFullWindow').sendQueue > 0, 'the frozen reader has bytes queued in the kernel');
  });

  test('patched: the same peers are gone from the kernel (orphans included) and from netstat -ano within the bound; the healthy one stays', async (t) => {
    const applied = await runCliWin(['apply', '--json'], { env: install.env });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const run = await liveRun(install, 'patched', PATCH_ENV);
    report(t, 'patched', run);
    assert.doesNotMatch(run.gateway.logs(), /OCP_RUNTIME_(UNAVAILABLE|HOOK_FAILED)/, 'the runtime loaded and no hook failed');
    const healthy = endOf(run, 'healthy');
    assert.deepEqual(healthy.states, ['ESTABLISHED']);
    assert.ok(healthy.held);
    assert.equal(healthy.netstatRows.length, 1);
    for (const kind of KINDS.filter((k) => k !== 'healthy')) {
      const end = endOf(run, kind);
      assert.deepEqual(end.states.filter((s) => s !== 'TIME_WAIT'), [], `${kind}: the kernel still lists the gateway's end`);
      assert.equal(end.held, false, `${kind}: still held`);
      assert.equal(end.sendQueue, 0, `${kind}: bytes still queued`);
      assert.deepEqual(end.netstatRows.filter((r) => !/TIME_WAIT/.test(r)), [], `${kind}: netstat -ano still lists it`);
    }
    const reverted = await runCliWin(['revert', '--json'], { env: install.env });
    assert.equal(reverted.code, 0, reverted.stdout + reverted.stderr);
  });
});
