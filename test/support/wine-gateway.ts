import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_TEST_TOKEN, pickFreeLoopbackPort } from './gateway-process.js';
import { requireLane, wineEnv, windowsPath } from './wine.js';

export interface WinGateway {
  /** The Linux pid of the win32 node.exe (Wine runs it in the process it was started as). */
  pid: number;
  port: number;
  token: string;
  startupMs: number;
  logFile: string;
  logs(): string;
  hasExited(): boolean;
  /** SIGKILL to the process this test started, by its pid; then waits for it. */
  kill(): Promise<void>;
}

const START_TIMEOUT_MS = 420_000;
const POLL_MS = 250;

/**
 * Starts `openclaw gateway run` of the package at `packageRoot` with the win32 node.exe under Wine,
 * loopback only, token auth, its state and config in `stateDir` (a Linux path; the gateway sees it as a
 * Windows path). node.exe cannot write its console into a pipe under Wine, so its output goes to a log
 * file, polled for the "listening on" line.
 */
export async function startWinGateway(options: { packageRoot: string; stateDir: string; env?: Record<string, string>; laneEnv?: Record<string, string> }): Promise<WinGateway> {
  const lane = requireLane();
  const port = await pickFreeLoopbackPort();
  const token = DEFAULT_TEST_TOKEN;
  await mkdir(options.stateDir, { recursive: true });
  const configPath = join(options.stateDir, 'openclaw.json');
  await writeFile(
    configPath,
    `${JSON.stringify({ gateway: { mode: 'local', bind: 'loopback', port, auth: { mode: 'token', token } }, update: { checkOnStart: false }, discovery: { mdns: { mode: 'off' } } }, null, 2)}\n`,
  );
  const logFile = join(options.stateDir, `gateway-${port}.log`);
  const log = openSync(logFile, 'w');
  const env = wineEnv({
    ...options.laneEnv,
    HOME: windowsPath(lane.profileDir),
    OPENCLAW_STATE_DIR: windowsPath(options.stateDir),
    OPENCLAW_CONFIG_PATH: windowsPath(configPath),
    OPENCLAW_NO_RESPAWN: '1',
    OPENCLAW_DISABLE_BONJOUR: '1',
    OPENCLAW_SKIP_CHANNELS: '1',
    OPENCLAW_SKIP_GMAIL_WATCHER: '1',
    OPENCLAW_SKIP_BROWSER_CONTROL_SERVER: '1',
    ...options.env,
  });
  const startedAt = performance.now();
  const child = spawn(
    lane.wine,
    [lane.nodeExe, windowsPath(join(options.packageRoot, 'openclaw.mjs')), 'gateway', 'run', '--port', String(port), '--bind', 'loopback', '--auth', 'token', '--token', token, '--allow-unconfigured'],
    { env, stdio: ['ignore', log, log], cwd: options.stateDir },
  );
  closeSync(log);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => {
    exited = true;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start wine');
  const logs = (): string => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const kill = async (): Promise<void> => {
    if (!exited) child.kill('SIGKILL');
    await Promise.race([exit, sleep(30_000)]);
  };
  process.once('exit', () => {
    if (!exited) child.kill('SIGKILL');
  });
  const ready = new RegExp(`listening on ws://127\\.0\\.0\\.1:${port}\\b`);
  const deadline = performance.now() + START_TIMEOUT_MS;
  for (let i = 0; performance.now() < deadline && i < START_TIMEOUT_MS / POLL_MS; i++) {
    if (ready.test(logs())) {
      return { pid, port, token, startupMs: performance.now() - startedAt, logFile, logs, hasExited: () => exited, kill };
    }
    if (exited) break;
    await sleep(POLL_MS);
  }
  await kill();
  throw new Error(`the win32 gateway did not listen on ${port} (${exited ? 'it exited' : `within ${START_TIMEOUT_MS} ms`}); log tail:\n${logs().slice(-4000)}`);
}
