import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { REPORTED_GATEWAY_VERSION } from '../support/gateway-install.js';
import { pickFreeLoopbackPort } from '../support/gateway-process.js';
import { laneVersions, requireLane, runCliWin, runWine, startWineserver, stopWineserver, wineLane } from '../support/wine.js';
import { resetWindowsUser, windowsUserInstall, type WindowsInstall } from '../support/windows-layout.js';

const lane = wineLane();

type Counts = Record<string, number>;

const SS_STATE: Record<string, string> = {
  ESTAB: 'ESTABLISHED',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'FIN-WAIT-1': 'FIN_WAIT_1',
  'FIN-WAIT-2': 'FIN_WAIT_2',
  'TIME-WAIT': 'TIME_WAIT',
  'LAST-ACK': 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECV',
};

/** Linux's own view of the port, from `ss -tan`: gateway side (local port) and peer side (remote port). */
export function ssCounts(port: number): { gateway: Counts; peer: Counts; text: string } {
  const ss = spawnSync('ss', ['-tanH'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(ss.status, 0, ss.stderr);
  const gateway: Counts = {};
  const peer: Counts = {};
  const lines: string[] = [];
  for (const line of ss.stdout.split('\n')) {
    const [stateWord, , , local, remote] = line.trim().split(/\s+/);
    if (!stateWord || !local || !remote) continue;
    const state = SS_STATE[stateWord] ?? stateWord;
    const localPort = Number(local.slice(local.lastIndexOf(':') + 1));
    const remotePort = Number(remote.slice(remote.lastIndexOf(':') + 1));
    if (localPort === port) gateway[state] = (gateway[state] ?? 0) + 1;
    else if (remotePort === port) peer[state] = (peer[state] ?? 0) + 1;
    else continue;
    lines.push(line.trim());
  }
  return { gateway, peer, text: lines.join('\n') };
}

function nonZero(counts: Counts): Counts {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

function only(counts: Counts, states: readonly string[]): Counts {
  return Object.fromEntries(Object.entries(nonZero(counts)).filter(([state]) => states.includes(state)));
}

/** The states Wine 8's netstat prints; it leaves out LISTEN, FIN_WAIT_1/2, LAST_ACK, CLOSING and SYN_*. */
const WINE_NETSTAT_STATES = ['ESTABLISHED', 'CLOSE_WAIT', 'TIME_WAIT'] as const;

describe('win32: status reads its TCP table from Wine\'s netstat -ano and agrees with Linux\'s ss on the same sockets', { skip: lane.skip ?? false, timeout: 10 * 60_000 }, () => {
  let install: WindowsInstall;
  let server: Server;
  let port: number;
  const sockets: Socket[] = [];
  /** The listener's end of the connection its client closed: CLOSE_WAIT until destroyed. */
  let closeWaitEnd: Socket;

  before(async () => {
    startWineserver();
    install = await windowsUserInstall(REPORTED_GATEWAY_VERSION);
    port = await pickFreeLoopbackPort();
    const accepted: Socket[] = [];
    // allowHalfOpen: a client's FIN leaves this end in CLOSE_WAIT, as a stalled gateway's would.
    server = createServer({ allowHalfOpen: true }, (socket) => {
      accepted.push(socket);
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const connect = async (): Promise<Socket> => {
      const before = accepted.length;
      const socket = createConnection({ host: '127.0.0.1', port, allowHalfOpen: true });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      for (let i = 0; i < 100 && accepted.length === before; i++) await sleep(20);
      assert.equal(accepted.length, before + 1, 'the listener accepted the connection');
      return socket;
    };
    // Three established clients.
    for (let i = 0; i < 3; i++) await connect();
    // The client closes, the listener never does: gateway-side CLOSE_WAIT, client FIN_WAIT_2.
    (await connect()).end();
    closeWaitEnd = accepted.at(-1)!;
    // The listener closes, the client never does: gateway-side FIN_WAIT_2, client CLOSE_WAIT.
    await connect();
    accepted.at(-1)!.end();
    for (let i = 0; i < 100; i++) {
      const { gateway } = ssCounts(port);
      if (gateway.CLOSE_WAIT === 1 && gateway.FIN_WAIT_2 === 1) break;
      await sleep(50);
    }
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await resetWindowsUser();
    stopWineserver();
  });

  test('the same connections, counted by status under Wine and by ss on Linux', async (t) => {
    t.diagnostic(laneVersions());
    const ss = ssCounts(port);
    t.diagnostic(`ss -tan for port ${port}:`);
    for (const line of ss.text.split('\n')) t.diagnostic(`  ${line}`);
    assert.deepEqual(nonZero(ss.gateway), { LISTEN: 1, ESTABLISHED: 3, CLOSE_WAIT: 1, FIN_WAIT_2: 1 });
    assert.deepEqual(nonZero(ss.peer), { ESTABLISHED: 3, CLOSE_WAIT: 1, FIN_WAIT_2: 1 });

    const netstat = await runWine('netstat', ['-ano'], { timeoutMs: 60_000 });
    assert.equal(netstat.code, 0, netstat.stderr);
    t.diagnostic(`wine netstat -ano for port ${port}:`);
    for (const line of netstat.stdout.split(/\r?\n/).filter((l) => l.includes(`:${port} `))) t.diagnostic(`  ${line.trim()}`);

    const status = await runCliWin(['status', '--port', String(port), '--json'], { env: install.env });
    assert.equal(status.code, 0, status.stdout + status.stderr);
    const sockets = status.json.sockets;
    assert.equal(sockets.source, 'netstat -ano -p tcp; netstat -ano -p tcpv6');
    // Every state Wine's netstat prints, counted exactly as the kernel has it: once, on the right side.
    assert.deepEqual(only(sockets.summary.gatewaySide, WINE_NETSTAT_STATES), only(ss.gateway, WINE_NETSTAT_STATES));
    assert.deepEqual(only(sockets.summary.peerSide, WINE_NETSTAT_STATES), only(ss.peer, WINE_NETSTAT_STATES));
    // What Wine's netstat cannot show is said, not counted as absent.
    assert.deepEqual(sockets.diagnostics.map((d: { code: string }) => d.code), ['OCP_NETSTAT_PARTIAL']);
    assert.equal(sockets.verdict.code, 'gateway-stalled', 'the gateway-side CLOSE_WAIT is visible and is the verdict');
    assert.doesNotMatch(JSON.stringify(sockets.verdict), /no gateway listening/);

    const human = await runCliWin(['status', '--port', String(port)], { env: install.env });
    assert.equal(human.code, 0, human.stdout + human.stderr);
    for (const line of `${human.stdout}${human.stderr}`.split('\n')) t.diagnostic(line);
    // Diagnostics go to stderr, with the table on stdout.
    assert.match(human.stderr, /OCP_NETSTAT_PARTIAL/);
  });

  test('with the stall cleared, status says what the table cannot show instead of "not listening" or "healthy"', async () => {
    closeWaitEnd.destroy();
    for (let i = 0; i < 100 && ssCounts(port).gateway.CLOSE_WAIT; i++) await sleep(50);
    const ss = ssCounts(port);
    assert.equal(ss.gateway.LISTEN, 1);
    assert.equal(ss.gateway.FIN_WAIT_2, 1, 'the gateway-side FIN_WAIT_2 is still in the kernel');
    const status = await runCliWin(['status', '--port', String(port), '--json'], { env: install.env });
    assert.equal(status.code, 0, status.stdout + status.stderr);
    const { summary, verdict } = status.json.sockets;
    assert.equal(summary.gatewaySide.ESTABLISHED, ss.gateway.ESTABLISHED);
    assert.equal(verdict.code, 'table-partial', verdict.line);
    assert.equal(requireLane().nodeVersion.startsWith('v22.'), true);
  });
});
