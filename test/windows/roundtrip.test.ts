import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPORTED_GATEWAY_VERSION, ensureGatewayInstall } from '../support/gateway-install.js';
import { treeHash } from '../support/packages.js';
import { laneVersions, runCliWin, startWineserver, stopWineserver, wineLane, windowsPath } from '../support/wine.js';
import { resetWindowsUser, windowsUserInstall, type WindowsInstall } from '../support/windows-layout.js';

const lane = wineLane();

describe(`win32: a Windows user's npm install of openclaw ${REPORTED_GATEWAY_VERSION}, found with no --dir`, { skip: lane.skip ?? false, timeout: 20 * 60_000 }, () => {
  let install: WindowsInstall;
  let pristine: string;

  before(async () => {
    startWineserver();
    install = await windowsUserInstall(REPORTED_GATEWAY_VERSION);
    pristine = await treeHash(await ensureGatewayInstall(REPORTED_GATEWAY_VERSION));
  });
  after(async () => {
    await resetWindowsUser();
    stopWineserver();
  });

  test('the tool runs as a win32 process and names the Windows Node and Wine versions', async (t) => {
    t.diagnostic(laneVersions());
    const probe = await runCliWin(['status', '--json'], { env: install.env });
    assert.equal(probe.code, 0, probe.stdout + probe.stderr);
    // The record of what ran: a win32 path for every file the tool named.
    assert.match(probe.json.root, /^C:\\users\\Ada Lovelace\\AppData\\Roaming\\npm\\node_modules\\openclaw$/);
  });

  test('auto-detection finds the install through openclaw.cmd on PATH, %APPDATA%\\npm and gateway.cmd', async () => {
    const status = await runCliWin(['status', '--json'], { env: install.env });
    assert.equal(status.code, 0, status.stdout + status.stderr);
    assert.equal(status.json.root, install.packageRootWin);
    assert.equal(status.json.version, REPORTED_GATEWAY_VERSION);
    assert.equal(status.json.state, 'stock');
    const appData = windowsPath(install.lane.appDataDir);
    const profile = windowsPath(install.lane.profileDir);
    assert.deepEqual(status.json.foundBy, [`path:${appData}\\npm\\openclaw.cmd`, `appdata-npm:${appData}\\npm\\node_modules`, `schtasks:${profile}\\.openclaw\\gateway.cmd`]);
    assert.equal(status.json.gateway.service.kind, 'schtasks');
    assert.equal(status.json.gateway.portFrom, `--port in ${profile}\\.openclaw\\gateway.cmd`);
  });

  test('apply, verify (node --check and the behavioural self-test on win32), a second apply that changes nothing, revert: the tree is byte-identical', async (t) => {
    const applied = await runCliWin(['apply', '--json'], { env: install.env });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.equal(applied.json.outcome, 'applied');
    assert.equal(applied.json.root, install.packageRootWin);
    assert.ok(existsSync(join(install.packageRoot, 'openclaw-patch-runtime.mjs')), 'the runtime is in place');
    // The state folder the tool chose by itself on Windows.
    assert.ok(existsSync(join(install.stateDir, 'installs')), `no record under ${install.stateDir}`);
    assert.notEqual(await treeHash(install.packageRoot), pristine);

    const verified = await runCliWin(['verify', '--json'], { env: install.env });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.equal(verified.json.ok, true);
    assert.equal(verified.json.nodeBinary, windowsPath(install.lane.nodeExe));
    for (const file of verified.json.files) assert.equal(file.nodeCheck, 'ok', `${file.path}: node --check on win32`);
    assert.equal(verified.json.selfTest.status, 'passed', JSON.stringify(verified.json.selfTest));
    for (const check of verified.json.selfTest.checks) t.diagnostic(`self-test ${check.name}: ${check.detail}`);

    const again = await runCliWin(['apply', '--json'], { env: install.env });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(again.json.outcome, 'unchanged');
    assert.deepEqual(again.json.changedFiles, []);

    const reverted = await runCliWin(['revert', '--json'], { env: install.env });
    assert.equal(reverted.code, 0, reverted.stdout + reverted.stderr);
    assert.equal(reverted.json.outcome, 'reverted');
    assert.equal(await treeHash(install.packageRoot), pristine, 'the tree after revert is the release, byte for byte');
  });
});
