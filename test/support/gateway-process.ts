import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, dirname, join, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface StartGatewayOptions {
  /** …/node_modules/openclaw */
  packageRoot: string;
  nodeBin: string;
  scratchDir: string;
  /** A free loopback port is picked when omitted. */
  port?: number;
  token?: string;
  /** Added to (and overriding) the isolated environment, e.g. OPENCLAW_PATCH_* knobs. */
  env?: Record<string, string>;
  /** Bound on waiting for the "listening on" line. */
  startTimeoutMs?: number;
}

export interface GatewayExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From sending the stop signal to the process's exit. */
  elapsedMs: number;
  /** The signal was not enough within the cap and the process was SIGKILLed. */
  forcedKill: boolean;
}

export interface StopOptions {
  /** How long to wait for the signal to work before SIGKILL. */
  timeoutMs?: number;
}

export interface RunningGateway {
  pid: number;
  port: number;
  token: string;
  startupMs: number;
  logFile: string;
  /** How /tmp/openclaw was kept off the host. */
  tmpIsolation: 'mount-namespace' | 'cleanup-after-exit';
  stop(signal?: NodeJS.Signals, options?: StopOptions): Promise<GatewayExit>;
  hasExited(): boolean;
  logs(): string;
  /** What the gateway wrote to stderr alone. */
  stderr(): string;
  /**
   * Runs one of the release's own CLI commands (`health`, `gateway call …`) with the gateway's
   * isolated HOME, state and config, /tmp kept private the same way; bounded by `timeoutMs`.
   */
  cli(args: readonly string[], options?: { env?: Record<string, string>; timeoutMs?: number }): Promise<OpenclawCliRun>;
}

export interface OpenclawCliRun {
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

export const DEFAULT_TEST_TOKEN = 'ocp-test-token-0123456789abcdef';
const DEFAULT_START_TIMEOUT_MS = 60_000;
const DEFAULT_STOP_TIMEOUT_MS = 60_000;
const HARD_CODED_TMP_DIR = '/tmp/openclaw';
const PORT_PICK_ATTEMPTS = 20;

/** Gateways started by this process, killed on exit so a failing test never leaves one behind. */
const runningPids = new Set<number>();
process.on('exit', () => {
  for (const pid of runningPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

function listenOnce(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** A port free on both loopback families, since the gateway binds 127.0.0.1 and ::1. */
export async function pickFreeLoopbackPort(): Promise<number> {
  for (let attempt = 0; attempt < PORT_PICK_ATTEMPTS; attempt++) {
    const port = await listenOnce('127.0.0.1', 0);
    if (port === undefined) continue;
    const ipv6Free = (await listenOnce('::1', port)) !== undefined || !hasIpv6Loopback();
    if (ipv6Free) return port;
  }
  throw new Error(`no free loopback port after ${PORT_PICK_ATTEMPTS} attempts`);
}

function hasIpv6Loopback(): boolean {
  return existsSync('/proc/net/if_inet6') && readFileSync('/proc/net/if_inet6', 'utf8').includes('00000000000000000000000000000001');
}

let mountNamespaceUsable: boolean | undefined;

/** unshare needs CAP_SYS_ADMIN; probed once per process. */
function canUseMountNamespace(): boolean {
  mountNamespaceUsable ??=
    spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs ocp-probe /tmp'], {
      stdio: 'ignore',
      timeout: 10_000,
    }).status === 0;
  return mountNamespaceUsable;
}

/** Top-level entries of /tmp that the gateway must still see once /tmp is covered. */
function tmpEntriesUsedBy(paths: readonly string[]): string[] {
  const entries = new Set<string>();
  for (const path of paths) {
    const rel = relative('/tmp', realpathSync(path));
    if (rel === '' || rel.startsWith('..')) continue;
    const entry = rel.split(sep)[0]!;
    if (!statSync(join('/tmp', entry)).isDirectory()) throw new Error(`/tmp/${entry} must be a directory to stay visible to the gateway`);
    entries.add(entry);
  }
  return [...entries];
}

/**
 * Runs the command in a private mount namespace whose /tmp is a fresh tmpfs, so the gateway's
 * hard-coded /tmp/openclaw lands there and vanishes with the process. Folders of the host's /tmp that
 * the test uses are bind-mounted back, reached through the shell's cwd, which still points at the
 * covered /tmp (--no-canonicalize: mount(8) would otherwise turn "./x" into "/tmp/x", the new tmpfs).
 * No fork: the PID we get is the gateway's.
 */
function namespacedCommand(workDir: string, keepVisible: readonly string[], command: readonly string[]): [string, string[]] {
  const script = [
    'set -eu',
    'work_dir=$1; n=$2; shift 2',
    'cd /tmp',
    'mount -t tmpfs -o mode=1777,size=512m ocp-gateway-tmp /tmp',
    'while [ "$n" -gt 0 ]; do mkdir -p "/tmp/$1"; mount --no-canonicalize --bind "./$1" "/tmp/$1"; shift; n=$((n - 1)); done',
    'cd "$work_dir"',
    'exec "$@"',
  ].join('\n');
  return [
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', script, 'ocp-gateway', workDir, String(keepVisible.length), ...keepVisible, ...command],
  ];
}

let setprivUsable: boolean | undefined;

/**
 * The 'exit' hook above does not run when the test process is killed (e.g. by the test runner's
 * timeout); the kernel's parent-death signal still takes the gateway down with it.
 */
function withParentDeathSignal(command: readonly string[]): string[] {
  setprivUsable ??= spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  return setprivUsable ? ['setpriv', '--pdeathsig', 'KILL', ...command] : [...command];
}

interface IsolatedLayout {
  env: Record<string, string>;
}

/**
 * Releases since 2026.8 fetch a model catalog from the internet at startup, which a test must not
 * do; older ones reject the key that turns it off (strict config schema). So the key is written
 * only where the bundle mentions it.
 */
function knowsConfigKey(packageRoot: string, key: string): boolean {
  const grep = spawnSync('grep', ['-rqF', '--include=*.js', '--include=*.mjs', key, join(packageRoot, 'dist')], {
    stdio: 'ignore',
    timeout: 30_000,
  });
  return grep.status === 0;
}

async function prepareIsolatedState(
  scratchDir: string,
  packageRoot: string,
  nodeBin: string,
  port: number,
  token: string,
): Promise<IsolatedLayout> {
  const home = join(scratchDir, 'home');
  const stateDir = join(home, '.openclaw');
  const tmpDir = join(scratchDir, 'tmp');
  await mkdir(stateDir, { recursive: true });
  await mkdir(tmpDir, { recursive: true });
  const configPath = join(stateDir, 'openclaw.json');
  const config = {
    gateway: { mode: 'local', bind: 'loopback', port, auth: { mode: 'token', token } },
    update: { checkOnStart: false },
    discovery: { mdns: { mode: 'off' } },
    ...(knowsConfigKey(packageRoot, 'catalogRefresh') ? { models: { catalogRefresh: { enabled: false } } } : {}),
  };
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  return {
    // Built from scratch rather than from process.env: the test runner's own variables
    // (NODE_TEST_CONTEXT, NODE_OPTIONS, a developer's OPENCLAW_*) must not reach the gateway.
    env: {
      PATH: `${dirname(nodeBin)}${delimiter}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      LANG: 'C.UTF-8',
      HOME: home,
      TMPDIR: tmpDir,
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_CONFIG_PATH: configPath,
      OPENCLAW_NO_RESPAWN: '1',
      OPENCLAW_DISABLE_BONJOUR: '1',
      OPENCLAW_SKIP_CHANNELS: '1',
      OPENCLAW_SKIP_GMAIL_WATCHER: '1',
      OPENCLAW_SKIP_BROWSER_CONTROL_SERVER: '1',
    },
  };
}

/** 2026.3.x logs "listening on ws://127.0.0.1:P"; 2026.9.x logs "[gateway] ready" once it accepts clients. */
function readyLinePattern(port: number): RegExp {
  return new RegExp(`listening on ws://127\\.0\\.0\\.1:${port}\\b|\\[gateway\\] ready\\b`);
}

function waitForListening(child: ChildProcess, port: number, output: () => string, timeoutMs: number): Promise<void> {
  const listening = readyLinePattern(port);
  return new Promise((resolve, reject) => {
    const tail = (): string => output().slice(-4000);
    const timer = setTimeout(() => finish(new Error(`gateway not listening on ${port} after ${timeoutMs} ms; output tail:\n${tail()}`)), timeoutMs);
    const onData = (): void => {
      if (listening.test(output())) finish();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      finish(new Error(`gateway exited (${code ?? signal}) before listening; output tail:\n${tail()}`));
    function finish(error?: Error): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    onData();
  });
}

/**
 * Starts `openclaw gateway run` on loopback with token auth, with its HOME, state, config, TMPDIR
 * and /tmp/openclaw all private to this run, and waits until it listens.
 */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const token = options.token ?? DEFAULT_TEST_TOKEN;
  const port = options.port ?? (await pickFreeLoopbackPort());
  await mkdir(options.scratchDir, { recursive: true });
  const layout = await prepareIsolatedState(options.scratchDir, options.packageRoot, options.nodeBin, port, token);
  const gatewayCommand = [
    options.nodeBin,
    join(options.packageRoot, 'openclaw.mjs'),
    'gateway',
    'run',
    '--port',
    String(port),
    '--bind',
    'loopback',
    '--auth',
    'token',
    '--token',
    token,
    '--allow-unconfigured',
  ];
  const launchCommand = withParentDeathSignal(gatewayCommand);
  const tmpIsolation = canUseMountNamespace() ? 'mount-namespace' : 'cleanup-after-exit';
  const hostTmpDirExisted = existsSync(HARD_CODED_TMP_DIR);
  const [command, args] =
    tmpIsolation === 'mount-namespace'
      ? namespacedCommand(
          options.scratchDir,
          tmpEntriesUsedBy([options.scratchDir, options.packageRoot, options.nodeBin]),
          launchCommand,
        )
      : [launchCommand[0]!, launchCommand.slice(1)];

  const logFile = join(options.scratchDir, 'gateway.log');
  const logStream = createWriteStream(logFile, { flags: 'a' });
  let output = '';
  let stderrText = '';
  const startedAt = performance.now();
  const child = spawn(command, args, {
    cwd: options.scratchDir,
    env: { ...layout.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise((resolve) => child.once('error', resolve));
    throw new Error(`could not spawn ${command}`);
  }
  runningPids.add(pid);
  const capture = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    logStream.write(chunk);
  };
  child.stdout.on('data', capture);
  child.stderr.on('data', capture);
  child.stderr.on('data', (chunk: Buffer) => (stderrText += chunk.toString('utf8')));

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal, at: performance.now() };
      runningPids.delete(pid);
      if (tmpIsolation === 'cleanup-after-exit' && !hostTmpDirExisted && runningPids.size === 0) {
        rmSync(HARD_CODED_TMP_DIR, { recursive: true, force: true });
      }
      resolve();
    });
  });
  const flushed = new Promise<void>((resolve) => child.once('close', () => logStream.end(resolve)));

  let stopping: Promise<GatewayExit> | undefined;
  const stop = (signal: NodeJS.Signals = 'SIGTERM', stopOptions: StopOptions = {}): Promise<GatewayExit> => {
    stopping ??= (async () => {
      const signalledAt = performance.now();
      let forcedKill = false;
      if (exitInfo === undefined) {
        child.kill(signal);
        const timeoutMs = stopOptions.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<true>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        });
        if ((await Promise.race([exited, timedOut])) === true) {
          forcedKill = true;
          child.kill('SIGKILL');
          await exited;
        }
        clearTimeout(timer);
      }
      await flushed;
      const info = exitInfo!;
      return { code: info.code, signal: info.signal, elapsedMs: Math.max(0, info.at - signalledAt), forcedKill };
    })();
    return stopping;
  };

  try {
    await waitForListening(child, port, () => output, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  return {
    pid,
    port,
    token,
    startupMs: performance.now() - startedAt,
    logFile,
    tmpIsolation,
    stop,
    hasExited: () => exitInfo !== undefined,
    logs: () => output,
    stderr: () => stderrText,
    cli: (cliArgs, cliOptions = {}) => {
      const cliCommand = withParentDeathSignal([options.nodeBin, join(options.packageRoot, 'openclaw.mjs'), ...cliArgs]);
      const [cliProgram, cliProgramArgs] =
        tmpIsolation === 'mount-namespace'
          ? namespacedCommand(options.scratchDir, tmpEntriesUsedBy([options.scratchDir, options.packageRoot, options.nodeBin]), cliCommand)
          : [cliCommand[0]!, cliCommand.slice(1)];
      return runBounded(cliProgram, cliProgramArgs, { cwd: options.scratchDir, env: { ...layout.env, ...options.env, ...cliOptions.env } }, cliOptions.timeoutMs ?? DEFAULT_CLI_TIMEOUT_MS);
    },
  };
}

const DEFAULT_CLI_TIMEOUT_MS = 60_000;

/** Spawns, collects stdout and stderr together, SIGKILLs the process it started (by pid) past the bound. */
function runBounded(command: string, args: readonly string[], spawnOptions: { cwd: string; env: Record<string, string> }, timeoutMs: number): Promise<OpenclawCliRun> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => (output += String(error)));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ pid: child.pid, code, signal, output });
    });
  });
}
