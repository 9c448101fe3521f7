import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway, type GatewayExit, type RunningGateway } from '../support/gateway-process.js';
import { gatewaySideSockets, readTcpSockets, socketInodesOfProcess, type TcpSocketEntry, type TcpState } from '../support/socket-table.js';
import { packetDropUnavailableReason } from '../support/packet-drop.js';
import * as clients from '../support/ws-clients.js';
import type { ClientKind, ClientObservations, GatewayTarget, HealthyClient, NormalClose, TestClient } from '../support/ws-clients.js';

/** Vanishing peers need nftables (scripts/setup-test-tools.sh installs it); without it they are left out, and said so. */
export const VANISH_UNAVAILABLE = packetDropUnavailableReason();

export const ALL_CLIENT_KINDS: readonly ClientKind[] = [
  'healthy',
  // First of the misbehaving peers: its 3,000 health requests keep a loaded gateway busy for seconds
  // (4–10 s seen), which would delay the timers of peers already connected and time out the setup of
  // the next; the others are connected once the gateway answers a fresh client again.
  'frozenFullWindow',
  'authenticatedFrozen',
  ...(VANISH_UNAVAILABLE === undefined ? (['vanished'] as const) : []),
  'closeFrameThenNoRead',
  'preAuthFrozen',
  'canvasSilent',
  'halfUpgrade',
];

/** Fresh clients tried, one after another, while the gateway works through a flood. */
const RESPONSIVE_TRIES = 4;

/**
 * The pre-auth handshake timeout is shortened so that the gateway's own close of preAuthFrozen
 * happens inside a short window: what is then observed is whether that close is ever enforced.
 */
export const SCENARIO_DEFAULT_ENV: Readonly<Record<string, string>> = { OPENCLAW_HANDSHAKE_TIMEOUT_MS: '2000' };

/** The knobs a patched run sets: heartbeat 2 s + pong timeout 2 s + close grace 1 s. */
export const FAST_PATCH_ENV: Readonly<Record<string, string>> = {
  OPENCLAW_PATCH_HEARTBEAT_MS: '2000',
  OPENCLAW_PATCH_PONG_TIMEOUT_MS: '2000',
  OPENCLAW_PATCH_CLOSE_GRACE_MS: '1000',
};

export interface ZombieScenarioOptions {
  packageRoot: string;
  nodeBin: string;
  /** Gateway home, state, TMPDIR and log go here. */
  scratchDir: string;
  /** Merged over SCENARIO_DEFAULT_ENV. */
  env?: Record<string, string>;
  /** Observation time after the last client has set up. */
  windowMs: number;
  sampleEveryMs?: number;
  kinds?: readonly ClientKind[];
  /** Signal the gateway at the end of the window, with the misbehaving clients still present. */
  shutdown?: { signal?: NodeJS.Signals; capMs: number };
}

export interface ClientResult {
  kind: ClientKind;
  clientPort: number;
  /** Gateway-side TCP states at the end of the window; [] once the kernel has dropped the connection. */
  statesAtEnd: TcpState[];
  /** The gateway process still has the socket open as a file descriptor. */
  heldAtEnd: boolean;
  sendQueueAtEnd: number;
  /** From the client's start of (mis)behaviour until the gateway no longer held the socket, if seen in the window. */
  releasedAfterMs: number | undefined;
  /** Until no gateway-side socket was left other than TIME_WAIT, if seen in the window. */
  goneAfterMs: number | undefined;
  observations: ClientObservations;
}

export interface ZombieScenarioResult {
  gateway: Pick<RunningGateway, 'pid' | 'port' | 'startupMs' | 'tmpIsolation' | 'logFile'>;
  clients: ClientResult[];
  /** Time for a brand-new healthy client to authenticate at the end of the window; undefined if it failed. */
  freshConnectMsAtEnd: number | undefined;
  freshConnectError: string | undefined;
  /** The healthy client's own normal close at the end of the window, as it saw it. */
  healthyClose: NormalClose | undefined;
  shutdown: GatewayExit | undefined;
  logs: string;
}

const DEFAULT_SAMPLE_EVERY_MS = 200;
const GATEWAY_START_TIMEOUT_MS = 90_000;

interface Tracked {
  client: TestClient;
  releasedAt: number | undefined;
  goneAt: number | undefined;
  last: TcpSocketEntry[];
  heldLast: boolean;
  /** Seen in the gateway's descriptors at least once: until then it may wait in the accept queue. */
  everHeld: boolean;
}

function sample(gateway: RunningGateway, tracked: readonly Tracked[]): void {
  const now = performance.now();
  const held = socketInodesOfProcess(gateway.pid);
  const byPort = gatewaySideSockets(gateway.port, tracked.map((t) => t.client.localPort), readTcpSockets());
  for (const t of tracked) {
    const entries = byPort.get(t.client.localPort) ?? [];
    t.last = entries;
    t.heldLast = entries.some((entry) => entry.inode !== 0 && held.has(entry.inode));
    if (t.heldLast) t.everHeld = true;
    // A connection still in the listen backlog (a busy event loop accepts late) has no inode yet;
    // it is not released until the gateway has held it or the kernel no longer lists it.
    else if (t.everHeld || entries.length === 0) t.releasedAt ??= now;
    if (entries.every((entry) => entry.state === 'TIME_WAIT')) t.goneAt ??= now;
  }
}

function toResult(t: Tracked): ClientResult {
  const since = t.client.behavingSince;
  return {
    kind: t.client.kind,
    clientPort: t.client.localPort,
    statesAtEnd: t.last.map((entry) => entry.state),
    heldAtEnd: t.heldLast,
    sendQueueAtEnd: t.last.reduce((sum, entry) => sum + entry.sendQueue, 0),
    releasedAfterMs: t.releasedAt === undefined ? undefined : Math.round(t.releasedAt - since),
    goneAfterMs: t.goneAt === undefined ? undefined : Math.round(t.goneAt - since),
    observations: { ...t.client.observations },
  };
}

async function timeFreshConnect(target: GatewayTarget): Promise<{ ms?: number; error?: string }> {
  const startedAt = performance.now();
  try {
    const client = await clients.healthy(target);
    client.destroy();
    return { ms: Math.round(performance.now() - startedAt) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Returns once a fresh client authenticates, or throws the last failure after RESPONSIVE_TRIES. */
async function untilResponsive(target: GatewayTarget): Promise<void> {
  let last = '';
  for (let i = 0; i < RESPONSIVE_TRIES; i++) {
    const fresh = await timeFreshConnect(target);
    if (fresh.ms !== undefined) return;
    last = fresh.error ?? '';
  }
  throw new Error(`the gateway did not answer a fresh client after the flood: ${last}`);
}

/**
 * Starts the gateway, connects one client of each kind, watches the kernel's view of the
 * gateway-side sockets for `windowMs`, then (optionally) signals the gateway and times its exit.
 * Makes no assertions: the baseline and patched tests expect opposite things of the same run.
 */
export async function runZombieScenarios(options: ZombieScenarioOptions): Promise<ZombieScenarioResult> {
  const gateway = await startGateway({
    packageRoot: options.packageRoot,
    nodeBin: options.nodeBin,
    scratchDir: options.scratchDir,
    env: { ...SCENARIO_DEFAULT_ENV, ...options.env },
    startTimeoutMs: GATEWAY_START_TIMEOUT_MS,
  });
  const target: GatewayTarget = { port: gateway.port, token: gateway.token };
  const tracked: Tracked[] = [];
  const sampleEveryMs = options.sampleEveryMs ?? DEFAULT_SAMPLE_EVERY_MS;
  // Peers connected first may be reclaimed while later ones are still being set up: watch them from
  // the moment each one misbehaves, not from the end of the setup.
  const setupSampler = setInterval(() => sample(gateway, tracked), sampleEveryMs);
  try {
    for (const kind of options.kinds ?? ALL_CLIENT_KINDS) {
      const client = await clients[kind](target);
      tracked.push({ client, releasedAt: undefined, goneAt: undefined, last: [], heldLast: false, everHeld: false });
      if (kind === 'frozenFullWindow') await untilResponsive(target);
    }
  } catch (error) {
    await gateway.stop('SIGKILL');
    for (const t of tracked) t.client.destroy();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`client setup failed: ${message}\ngateway log tail:\n${gateway.logs().slice(-4000)}`, { cause: error });
  } finally {
    clearInterval(setupSampler);
  }
  try {
    const windowEnd = performance.now() + options.windowMs;
    for (let remaining = options.windowMs; remaining > 0; remaining = windowEnd - performance.now()) {
      sample(gateway, tracked);
      await sleep(Math.min(sampleEveryMs, remaining));
    }
    sample(gateway, tracked);
    const results = tracked.map(toResult);
    const healthy = tracked.find((t) => t.client.kind === 'healthy')?.client as HealthyClient | undefined;
    const healthyClose = await healthy?.closeNormally();
    const fresh = await timeFreshConnect(target);
    const shutdown = options.shutdown
      ? await gateway.stop(options.shutdown.signal ?? 'SIGTERM', { timeoutMs: options.shutdown.capMs })
      : undefined;
    return {
      gateway: {
        pid: gateway.pid,
        port: gateway.port,
        startupMs: gateway.startupMs,
        tmpIsolation: gateway.tmpIsolation,
        logFile: gateway.logFile,
      },
      clients: results,
      freshConnectMsAtEnd: fresh.ms,
      freshConnectError: fresh.error,
      healthyClose,
      shutdown,
      logs: gateway.logs(),
    };
  } finally {
    await gateway.stop('SIGKILL');
    for (const t of tracked) t.client.destroy();
  }
}

/** One line per client, for test diagnostics and reports. */
export function describeResults(result: ZombieScenarioResult): string[] {
  return result.clients.map((c) => {
    const states = c.statesAtEnd.length === 0 ? 'gone' : c.statesAtEnd.join('+');
    const timing = [
      c.releasedAfterMs === undefined ? 'held all window' : `released after ${c.releasedAfterMs} ms`,
      c.goneAfterMs === undefined ? undefined : `gone after ${c.goneAfterMs} ms`,
    ]
      .filter(Boolean)
      .join(', ');
    return `${c.kind.padEnd(20)} port ${c.clientPort}: ${states}${c.heldAtEnd ? ' (held)' : ''} sendQ=${c.sendQueueAtEnd}; ${timing}; pings seen ${c.observations.pingsReceived}`;
  });
}
