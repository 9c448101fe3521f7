import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPORTED_GATEWAY_VERSION, ensureGatewayInstall } from '../support/gateway-install.js';
import { runCommand } from '../support/node-binary.js';
import { treeHash } from '../support/packages.js';
import { laneVersions, runCliWin, runWine, startWineserver, stopWineserver, wineLane, windowsPath } from '../support/wine.js';
import { resetWindowsUser, windowsUserInstall, type WindowsInstall } from '../support/windows-layout.js';

const lane = wineLane();

/**
 * Stands in for the gateway's start: preloaded into every node.exe that gateway.cmd starts (through
 * NODE_OPTIONS, which cmd.exe passes on), it acts only in the process running the gateway's entry
 * script, records what it was started with and whether the install was patched at that moment, and
 * exits. The re-patch, run by the same node.exe, passes through untouched.
 */
const MARKER_PRELOAD = `
const fs = require('fs');
const entry = process.argv[1] || '';
if (/[\\\\/]dist[\\\\/]index\\.js$/i.test(entry)) {
  const root = entry.replace(/[\\\\/]dist[\\\\/]index\\.js$/i, '');
  fs.writeFileSync(process.env.OCP_MARKER_FILE, JSON.stringify({
    entry,
    args: process.argv.slice(2),
    runtimePresent: fs.existsSync(root + '\\\\openclaw-patch-runtime.mjs'),
  }));
  process.exit(0);
}
`;

describe('win32: the re-patch hook in gateway.cmd, run by Wine\'s cmd.exe after an upgrade', { skip: lane.skip ?? false, timeout: 20 * 60_000 }, () => {
  let install: WindowsInstall;
  let scratch: string;

  before(async () => {
    startWineserver();
    install = await windowsUserInstall(REPORTED_GATEWAY_VERSION);
    scratch = await mkdtemp(join(tmpdir(), 'ocp-win-hook-'));
  });
  after(async () => {
    await resetWindowsUser();
    await rm(scratch, { recursive: true, force: true });
    stopWineserver();
  });

  test('hook install edits gateway.cmd; after an upgrade, gateway.cmd re-patches, then starts its command unchanged; uninstall restores it byte for byte', async (t) => {
    t.diagnostic(laneVersions());
    const applied = await runCliWin(['apply', '--json'], { env: install.env });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);

    const installed = await runCliWin(['hook', 'install', '--yes', '--json'], { env: install.env });
    assert.equal(installed.code, 0, installed.stdout + installed.stderr);
    t.diagnostic(`hook install: ${JSON.stringify(installed.json?.plan?.choice ?? installed.json).slice(0, 400)}`);
    const edited = await readFile(install.gatewayCmd);
    assert.notDeepEqual(edited, install.gatewayCmdBytes, 'gateway.cmd was edited');
    const editedLines = edited.toString('latin1').split('\r\n');
    const originalLines = install.gatewayCmdBytes.toString('latin1').split('\r\n');
    assert.equal(editedLines.length, originalLines.length + 1, 'one line added');
    const hookLine = editedLines.find((line) => !originalLines.includes(line));
    t.diagnostic('the line hook install put in gateway.cmd:');
    t.diagnostic(hookLine ?? '');
    assert.equal(editedLines.at(-2), originalLines.at(-2), 'the gateway command is the last line still');

    const status = await runCliWin(['hook', 'status', '--json'], { env: install.env });
    assert.equal(status.code, 0, status.stdout + status.stderr);
    assert.equal(status.json.health, 'active', JSON.stringify(status.json));

    // The upgrade: npm replaces the package folder with the new (here: the same, unpatched) release.
    await rm(install.packageRoot, { recursive: true, force: true });
    const copy = await runCommand('cp', ['-a', await ensureGatewayInstall(REPORTED_GATEWAY_VERSION), install.packageRoot], { timeoutMs: 5 * 60_000 });
    assert.equal(copy.code, 0, copy.output);
    assert.equal(existsSync(join(install.packageRoot, 'openclaw-patch-runtime.mjs')), false, 'the upgrade dropped the patch');
    const upgraded = await runCliWin(['status', '--json'], { env: install.env });
    // The same release again, so the record calls it stock (a newer one would be "upgraded").
    assert.equal(upgraded.json.state, 'stock', JSON.stringify(upgraded.json).slice(0, 500));
    assert.equal(upgraded.json.patchedRelease, REPORTED_GATEWAY_VERSION);

    // What the Scheduled Task does: cmd.exe runs gateway.cmd.
    const preload = join(scratch, 'marker-preload.cjs');
    const markerFile = join(scratch, 'gateway-started.json');
    await writeFile(preload, MARKER_PRELOAD);
    // NODE_OPTIONS reads a backslash inside quotes as an escape: the preload's path goes with slashes.
    const run = await runWine('cmd', ['/c', windowsPath(install.gatewayCmd)], {
      env: { ...install.env, NODE_OPTIONS: `--require "${windowsPath(preload).replaceAll('\\', '/')}"`, OCP_MARKER_FILE: windowsPath(markerFile) },
      timeoutMs: 5 * 60_000,
    });
    t.diagnostic(`cmd /c gateway.cmd: exit ${run.code}; stderr:`);
    for (const line of run.stderr.trim().slice(-1500).split(/\r?\n/)) t.diagnostic(`  ${line}`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.ok(existsSync(markerFile), 'gateway.cmd started its gateway command');
    const started = JSON.parse(await readFile(markerFile, 'utf8'));
    assert.equal(started.entry, `${install.packageRootWin}\\dist\\index.js`);
    assert.deepEqual(started.args, ['gateway', '--port', '18789'], 'the command started with its arguments unchanged');
    assert.equal(started.runtimePresent, true, 'the install was patched again before the gateway started');

    const after = await runCliWin(['status', '--json'], { env: install.env });
    assert.equal(after.json.state, 'patched');
    assert.ok(after.json.lastHook, `status names the hook's run: ${JSON.stringify(after.json.lastHook)}`);
    t.diagnostic(`last hook run: ${JSON.stringify(after.json.lastHook)}`);

    const uninstalled = await runCliWin(['hook', 'uninstall', '--yes', '--json'], { env: install.env });
    assert.equal(uninstalled.code, 0, uninstalled.stdout + uninstalled.stderr);
    assert.deepEqual(await readFile(install.gatewayCmd), install.gatewayCmdBytes, 'gateway.cmd restored byte for byte');

    const reverted = await runCliWin(['revert', '--json'], { env: install.env });
    assert.equal(reverted.code, 0, reverted.stdout + reverted.stderr);
    assert.equal(await treeHash(install.packageRoot), await treeHash(await ensureGatewayInstall(REPORTED_GATEWAY_VERSION)));
  });
});
