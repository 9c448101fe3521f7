import { existsSync } from 'node:fs';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import {
  CURRENT_NODE_VERSION,
  REPORTER_NODE_VERSION,
  ensureNode,
  installIntoCacheOnce,
  openclawPatchCacheDir,
  runCommand,
} from './node-binary.js';

/** The release openclaw#56215 was reported against. */
export const REPORTED_GATEWAY_VERSION = '2026.3.24';

/** 2026.3.24 runs under the reporter's Node; later releases require Node ≥ 24.16. */
export function nodeVersionForGateway(gatewayVersion: string): string {
  return gatewayVersion === REPORTED_GATEWAY_VERSION ? REPORTER_NODE_VERSION : CURRENT_NODE_VERSION;
}

const NPM_INSTALL_TIMEOUT_MS = 15 * 60_000;
const COPY_TIMEOUT_MS = 5 * 60_000;

function packageRootIn(installDir: string): string {
  return join(installDir, 'node_modules', 'openclaw');
}

function isCompleteInstall(installDir: string): boolean {
  return existsSync(join(packageRootIn(installDir), 'openclaw.mjs')) && existsSync(join(installDir, 'node_modules', 'ws'));
}

/**
 * Releases whose dependency tree cannot be installed from the registry as published, with the npm
 * `overrides` that make it installable.
 *
 * 2026.1.29 – 2026.3.13 depend on `@whiskeysockets/baileys@7.0.0-rc.9`, which takes `libsignal` from a
 * git URL (`git+https://github.com/whiskeysockets/libsignal-node`); this machine reaches the npm
 * registry only. The same repository publishes `libsignal` to the registry, and baileys itself moved
 * its dependency there (`^6.0.0` from 7.0.0-rc14), so the override points it at that release. The
 * gateway's WebSocket code never loads libsignal (it is the WhatsApp channel's crypto), so what the
 * tests observe is unchanged. From 2026.3.22 the WhatsApp channel is a plugin and the gateway package
 * no longer depends on baileys.
 */
const REGISTRY_OVERRIDES: readonly { applies: (version: string) => boolean; overrides: Record<string, string> }[] = [
  { applies: (version) => releaseBefore(version, '2026.3.22'), overrides: { libsignal: '6.0.0' } },
];

/** Compares the numeric year.month.day of two release versions; a suffix such as `-2` is ignored. */
function releaseBefore(version: string, other: string): boolean {
  const parts = (v: string): number[] => v.split(/[.-]/, 3).map(Number);
  const [a, b] = [parts(version), parts(other)];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** The package.json of the folder a release is installed into: private, plus any overrides it needs. */
export function stagingManifest(version: string): { private: true; overrides?: Record<string, string> } {
  const overrides = Object.assign({}, ...REGISTRY_OVERRIDES.filter((entry) => entry.applies(version)).map((entry) => entry.overrides));
  return Object.keys(overrides).length === 0 ? { private: true } : { private: true, overrides };
}

/**
 * Installs `openclaw@version` with its dependencies into a private cache folder and returns its
 * package root. The cached tree is shared by every test: never patch it, use freshGatewayCopy().
 */
export async function ensureGatewayInstall(version: string, nodeVersion = nodeVersionForGateway(version)): Promise<string> {
  const installDir = openclawPatchCacheDir('gateway', version);
  if (isCompleteInstall(installDir)) return packageRootIn(installDir);
  const nodeBin = await ensureNode(nodeVersion);
  await installIntoCacheOnce(installDir, isCompleteInstall, async (stagingDir) => {
    await writeFile(join(stagingDir, 'package.json'), `${JSON.stringify(stagingManifest(version))}\n`);
    // npm runs under the first `node` on PATH, so the engine check sees the Node the gateway will run on.
    const env = { ...process.env, PATH: `${dirname(nodeBin)}${delimiter}${process.env.PATH ?? ''}` };
    const result = await runCommand(
      'npm',
      ['install', '--prefix', stagingDir, '--ignore-scripts', '--no-audit', '--no-fund', `openclaw@${version}`],
      { cwd: stagingDir, env, timeoutMs: NPM_INSTALL_TIMEOUT_MS },
    );
    if (result.code !== 0) {
      throw new Error(`npm install openclaw@${version} failed (${result.code ?? result.signal}):\n${result.output}`);
    }
  });
  return packageRootIn(installDir);
}

/**
 * Gives a test its own writable `node_modules/openclaw` under `scratchDir` and returns its package root.
 *
 * The package itself is a real copy (no hardlinks: a test that writes a file in place, rather
 * than by rename, must not be able to alter the shared cache). Its dependencies stay in the cache and
 * are reached through one symlink per entry in the sibling `node_modules`: Node's ESM resolver walks
 * up to `scratchDir/node_modules/<dep>`, follows the link, and resolves the dependency's own imports
 * from the cache. NODE_PATH would not do, the ESM resolver ignores it.
 */
export async function freshGatewayCopy(version: string, scratchDir: string): Promise<string> {
  const cachedRoot = await ensureGatewayInstall(version);
  const cachedModules = dirname(cachedRoot);
  const scratchModules = join(scratchDir, 'node_modules');
  const copyRoot = join(scratchModules, 'openclaw');
  if (existsSync(copyRoot)) throw new Error(`${copyRoot} already exists; give each copy its own scratch folder`);
  await mkdir(scratchModules, { recursive: true });
  const copy = await runCommand('cp', ['-a', '--reflink=auto', cachedRoot, copyRoot], { timeoutMs: COPY_TIMEOUT_MS });
  if (copy.code !== 0) throw new Error(`copying ${cachedRoot} failed:\n${copy.output}`);
  for (const entry of await readdir(cachedModules)) {
    if (entry === 'openclaw' || entry === '.package-lock.json') continue;
    await symlink(join(cachedModules, entry), join(scratchModules, entry));
  }
  return copyRoot;
}
