import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshGatewayCopy } from './gateway-install.js';
import { requireLane, windowsPath, type WineLane } from './wine.js';

const FIXTURES = resolve(fileURLToPath(new URL('../../../fixtures', import.meta.url)));

export interface WindowsInstall {
  lane: WineLane;
  /** %APPDATA%\npm, npm's global prefix on Windows (Linux path) */
  npmDir: string;
  /** %APPDATA%\npm\node_modules\openclaw (Linux path) */
  packageRoot: string;
  packageRootWin: string;
  /** %USERPROFILE%\.openclaw\gateway.cmd (Linux path) */
  gatewayCmd: string;
  gatewayCmdBytes: Buffer;
  /** The state folder the tool picks by itself on Windows: %USERPROFILE%\.openclaw-patch */
  stateDir: string;
  /** Variables for every win32 process: npm's folder and node.exe's on PATH, as the Node installer and npm leave them. */
  env: Record<string, string>;
}

/**
 * A Windows user's install, as `npm i -g openclaw@<version>` and `openclaw gateway install` leave it:
 * the package in %APPDATA%\npm\node_modules\openclaw (a real copy of the release, its dependencies
 * beside it), npm's three shims (openclaw, openclaw.cmd, openclaw.ps1) in %APPDATA%\npm, and the
 * Scheduled Task's script in %USERPROFILE%\.openclaw\gateway.cmd. The user is "Ada Lovelace", so every
 * one of these paths has a space in it. The lane's prefix is scratch: each call starts from nothing.
 */
export async function windowsUserInstall(version: string, gatewayLine?: (nodeExeWin: string, packageRootWin: string) => string): Promise<WindowsInstall> {
  const lane = requireLane();
  const npmDir = join(lane.appDataDir, 'npm');
  const openclawDir = join(lane.profileDir, '.openclaw');
  const stateDir = join(lane.profileDir, '.openclaw-patch');
  await resetWindowsUser(lane);
  const packageRoot = await freshGatewayCopy(version, npmDir);
  await copyFile(join(FIXTURES, 'installs', 'npm-shim.cmd'), join(npmDir, 'openclaw.cmd'));
  await copyFile(join(FIXTURES, 'installs', 'npm-shim.ps1'), join(npmDir, 'openclaw.ps1'));
  await copyFile(join(FIXTURES, 'installs', 'npm-shim.sh'), join(npmDir, 'openclaw'));
  const packageRootWin = windowsPath(packageRoot, lane);
  const nodeExeWin = windowsPath(lane.nodeExe, lane);
  const line = gatewayLine?.(nodeExeWin, packageRootWin) ?? `"${nodeExeWin}" "${packageRootWin}\\dist\\index.js" gateway --port 18789`;
  const gatewayCmdBytes = Buffer.from(
    [
      '@echo off',
      'rem OpenClaw Gateway',
      `set "HOME=${windowsPath(lane.profileDir, lane)}"`,
      'set "OPENCLAW_GATEWAY_PORT=18789"',
      'set "OPENCLAW_SERVICE_MARKER=openclaw"',
      'set "OPENCLAW_SERVICE_KIND=gateway"',
      line,
      '',
    ].join('\r\n'),
    'latin1',
  );
  await mkdir(openclawDir, { recursive: true });
  const gatewayCmd = join(openclawDir, 'gateway.cmd');
  await writeFile(gatewayCmd, gatewayCmdBytes);
  return {
    lane,
    npmDir,
    packageRoot,
    packageRootWin,
    gatewayCmd,
    gatewayCmdBytes,
    stateDir,
    env: { WINEPATH: `${windowsPath(npmDir, lane)};${windowsPath(dirname(lane.nodeExe), lane)}` },
  };
}

/** Removes everything a lane test put under the Windows user's profile. */
export async function resetWindowsUser(lane: WineLane = requireLane()): Promise<void> {
  for (const dir of [join(lane.appDataDir, 'npm'), join(lane.profileDir, '.openclaw'), join(lane.profileDir, '.openclaw-patch')]) {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function readBytes(file: string): Promise<Buffer> {
  return readFile(file);
}
