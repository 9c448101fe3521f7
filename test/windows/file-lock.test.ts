import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { REPORTED_GATEWAY_VERSION, ensureGatewayInstall } from '../support/gateway-install.js';
import { treeHash } from '../support/packages.js';
import { laneVersions, requireLane, runCliWin, startWineserver, stopWineserver, wineEnv, wineLane, windowsPath } from '../support/wine.js';
import { resetWindowsUser, windowsUserInstall, type WindowsInstall } from '../support/windows-layout.js';

const lane = wineLane();

/**
 * The holder: cmd.exe opens the redirection `< file` itself, for reading, sharing read and write but
 * not delete (as an antivirus scan or an editor would), and hands the handle to the program it runs.
 * The program is a node.exe that only waits for a flag file, so the test decides when the handle goes.
 * (A file node.exe opens with fs.openSync is opened WITH delete sharing, by libuv; under Wine 8 it
 * blocks a rename over it just the same — Wine refuses to replace any open file.)
 */
const HOLDER_JS = `
const fs = require('fs');
const [flag, holding] = process.argv.slice(2);
fs.writeFileSync(holding, 'holding');
let polls = 0;
const timer = setInterval(() => {
  if (fs.existsSync(flag) || ++polls > 2400) { clearInterval(timer); process.exit(0); }
}, 50);
`;

interface Holder {
  process: ChildProcess;
  release(): Promise<void>;
}

async function holdOpen(file: string, scratch: string, label: string): Promise<Holder> {
  const l = requireLane();
  const script = join(scratch, `${label}-holder.js`);
  const flag = join(scratch, `${label}.release`);
  const holding = join(scratch, `${label}.holding`);
  const batch = join(scratch, `${label}-hold.cmd`);
  await writeFile(script, HOLDER_JS);
  await writeFile(batch, `@echo off\r\n"${windowsPath(l.nodeExe)}" "${windowsPath(script)}" "${windowsPath(flag)}" "${windowsPath(holding)}" < "${windowsPath(file)}"\r\n`);
  const log = openSync(join(scratch, `${label}-hold.log`), 'w');
  const child = spawn(l.wine, ['cmd', '/c', windowsPath(batch)], { env: wineEnv(), stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 1200 && !existsSync(holding); i++) await sleep(100);
  assert.ok(existsSync(holding), 'the holder has the file open');
  return {
    process: child,
    release: async () => {
      await writeFile(flag, '');
      await Promise.race([exited, sleep(120_000)]);
    },
  };
}

describe('win32: a bundle held open by another win32 process without delete sharing', { skip: lane.skip ?? false, timeout: 20 * 60_000 }, () => {
  let install: WindowsInstall;
  let scratch: string;
  let target: string;
  let pristine: string;

  before(async () => {
    startWineserver();
    install = await windowsUserInstall(REPORTED_GATEWAY_VERSION);
    scratch = await mkdtemp(join(tmpdir(), 'ocp-win-lock-'));
    pristine = await treeHash(await ensureGatewayInstall(REPORTED_GATEWAY_VERSION));
    const dry = await runCliWin(['apply', '--dry-run', '--json'], { env: install.env });
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    const files = [...new Set<string>(dry.json.edits.map((e: { file: string }) => e.file))];
    assert.equal(files.length, 1, `one bundle to patch: ${files.join(', ')}`);
    target = join(install.packageRoot, files[0]!);
  });
  after(async () => {
    await resetWindowsUser();
    await rm(scratch, { recursive: true, force: true });
    stopWineserver();
  });

  test('held through every retry: apply fails with OCP_FILE_BUSY (exit 5) and nothing changed', async (t) => {
    t.diagnostic(laneVersions());
    const holder = await holdOpen(target, scratch, 'held');
    try {
      const applied = await runCliWin(['apply', '--json'], { env: install.env });
      t.diagnostic(`apply with ${basename(target)} held: exit ${applied.code}; ${JSON.stringify(applied.json?.diagnostics ?? applied.stderr).slice(0, 600)}`);
      assert.equal(applied.code, 5, applied.stdout + applied.stderr);
      const busy = applied.json.diagnostics.find((d: { code: string }) => d.code === 'OCP_FILE_BUSY');
      assert.ok(busy, `OCP_FILE_BUSY: ${JSON.stringify(applied.json.diagnostics)}`);
      assert.match(busy.message, /through 8 attempts/);
      assert.match(busy.remedy, /antivirus/);
    } finally {
      await holder.release();
    }
    assert.equal(await treeHash(install.packageRoot), pristine, 'the install is the release, byte for byte');
    assert.deepEqual(readdirSync(dirname(target)).filter((f) => f.endsWith('.tmp')), [], 'no temp file left beside the bundle');
    const status = await runCliWin(['status', '--json'], { env: install.env });
    assert.equal(status.json.state, 'stock');
  });

  test('released during the retries: the same apply succeeds', async (t) => {
    const holder = await holdOpen(target, scratch, 'released');
    const original = await readFile(target);
    const applying = runCliWin(['apply', '--json'], { env: install.env });
    // The tool writes the patched bundle beside the target, then renames it over the target. A temp
    // file seen on two polls while the target still has its original bytes is a rename that failed
    // and is being retried; only then is the handle let go.
    const tempOf = (): string | undefined => readdirSync(dirname(target)).find((f) => f.startsWith(`.${basename(target)}.ocp-`) && f.endsWith('.tmp'));
    let seen = 0;
    for (let i = 0; i < 1200 && seen < 2; i++) {
      if (tempOf() !== undefined && (await readFile(target)).equals(original)) seen++;
      await sleep(100);
    }
    assert.equal(seen, 2, 'the rename was attempted while the bundle was held');
    await holder.release();
    const applied = await applying;
    t.diagnostic(`apply, ${basename(target)} released during the retries: exit ${applied.code}, outcome ${applied.json?.outcome}`);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.equal(applied.json.outcome, 'applied');
    const verified = await runCliWin(['verify', '--no-self-test', '--json'], { env: install.env });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    const reverted = await runCliWin(['revert', '--json'], { env: install.env });
    assert.equal(reverted.code, 0, reverted.stdout + reverted.stderr);
    assert.equal(await treeHash(install.packageRoot), pristine);
  });
});
