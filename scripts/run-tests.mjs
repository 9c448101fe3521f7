// Runs the compiled test files with node's test runner: fast suites first (two at a time), then the
// suites that start a real gateway, one at a time so they do not compete for the two cores.
// --unit skips the gateway suites. Prints one closing "N passed, N failed" line for both runs.
// The era suite (test/eras: one release of every era of the gateway code, unpatched and patched) is a
// gateway suite too; by default it runs only ERA_SAMPLE so that CI exercises it, and --eras runs it
// alone with every era. OCP_ERAS=2026.1.29,2026.4.5 picks the releases in either case.
// The Windows lane (test/windows: the tool and the real gateway as win32 processes under Wine) runs
// whole only with --windows, alone: it needs Wine and the Windows Node (scripts/setup-windows.sh) and
// takes longer than the default run can afford; the default run keeps WINDOWS_SAMPLE of it.
// The install lane (test/install: npm pack of a clean clone, `npm i -g` of the tarball under real Node
// 20, 22 and 24, then apply/verify/revert with the installed command) runs whole only with --install,
// alone (OCP_INSTALL_LANE=full); the default run keeps its sample (Node 20 with 2026.9.3).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const testRoot = path.join(root, "build", "test");
const unitOnly = process.argv.includes("--unit");
const erasOnly = process.argv.includes("--eras");
// --kill-sweep runs test/safety/kill-sweep alone at every file-system call (OCP_KILL_SWEEP=full);
// the default run keeps a sample of it.
const killSweepOnly = process.argv.includes("--kill-sweep");
const windowsOnly = process.argv.includes("--windows");
const installOnly = process.argv.includes("--install");
/** The one era the default run keeps: quick to install and to start. */
const ERA_SAMPLE = "2026.4.26";
/** The Windows lane's file the default run keeps: the apply/verify/revert roundtrip as win32. */
const WINDOWS_SAMPLE = `${path.sep}roundtrip.test.js`;
const filter = process.argv.slice(2).filter((a) => !a.startsWith("--"));

function collect(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(".test.js")).map((f) => path.join(dir, f)).sort();
}

const all = collect(testRoot)
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .filter((f) => !killSweepOnly || f.includes(`${path.sep}kill-sweep.`));
if (killSweepOnly) process.env.OCP_KILL_SWEEP = "full";
const isGateway = (f) => f.includes(`${path.sep}gateway${path.sep}`);
const isEras = (f) => f.includes(`${path.sep}eras${path.sep}`);
const isWindows = (f) => f.includes(`${path.sep}windows${path.sep}`);
const isInstall = (f) => f.includes(`${path.sep}install${path.sep}`);
const groups = windowsOnly
  ? [{ name: "Windows lane: win32 processes under Wine", files: all.filter(isWindows), concurrency: 1 }]
  : installOnly
  ? [{ name: "install lane: the packed tarball under Node 20, 22 and 24, and from a git URL", files: all.filter(isInstall), concurrency: 1, env: { OCP_INSTALL_LANE: "full" } }]
  : [
      { name: "unit and engine", files: erasOnly ? [] : all.filter((f) => !isGateway(f) && !isEras(f) && !isWindows(f) && !isInstall(f)), concurrency: 2 },
      { name: "live gateway", files: unitOnly || erasOnly ? [] : all.filter(isGateway), concurrency: 1 },
      {
        name: erasOnly ? "live gateway, every era" : `live gateway, era sample (${process.env.OCP_ERAS || ERA_SAMPLE})`,
        files: unitOnly ? [] : all.filter(isEras),
        concurrency: 1,
        env: { OCP_ERAS: process.env.OCP_ERAS || (erasOnly ? "" : ERA_SAMPLE) },
      },
      {
        name: "Windows lane sample: the roundtrip as win32 processes under Wine (npm run test:windows runs all)",
        files: unitOnly || erasOnly ? [] : all.filter((f) => isWindows(f) && f.endsWith(WINDOWS_SAMPLE)),
        concurrency: 1,
      },
      {
        name: "install lane sample: the packed tarball under Node 20 on 2026.9.3 (npm run test:install runs all)",
        files: unitOnly || erasOnly ? [] : all.filter(isInstall),
        concurrency: 1,
        env: { OCP_INSTALL_LANE: "" },
      },
    ];

// Tools beyond Node (systemd-analyze for the hook tests, nftables for the vanished peers of the gateway
// and era suites, strace for the kill tests) come from the project's own setup script.
if (groups.some((g) => g.files.some(isWindows))) {
  // Wine, the Windows Node and the scratch WINEPREFIX; the tests read the versions from it again.
  const setup = spawnSync("sh", [path.join(root, "scripts", "setup-windows.sh")], { stdio: "inherit" });
  if (setup.status !== 0) process.stdout.write("run-tests: setup-windows.sh failed; the Windows lane will skip\n");
}
if ((!unitOnly || killSweepOnly) && !windowsOnly && !installOnly) {
  const setup = spawnSync("sh", [path.join(root, "scripts", "setup-test-tools.sh")], { stdio: "inherit" });
  if (setup.status !== 0) process.stdout.write("run-tests: setup-test-tools.sh failed; tests needing those tools will skip\n");
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const group of groups) {
  if (group.files.length === 0) continue;
  process.stdout.write(`\n=== ${group.name}: ${group.files.length} file(s)\n`);
  const counts = await runGroup(group.files, group.concurrency, group.env);
  passed += counts.pass;
  failed += counts.fail;
  skipped += counts.skipped;
}
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;

function runGroup(files, concurrency, groupEnv = {}) {
  return new Promise((resolve) => {
    // Runtimes attached in unit tests trace by default; keep that out of the operator's ~/.openclaw.
    const env = { ...process.env, ...groupEnv, OPENCLAW_PATCH_TRACE_FILE: process.env.OPENCLAW_PATCH_TRACE_FILE ?? path.join(os.tmpdir(), "openclaw-patch-tests", "trace.jsonl") };
    const child = spawn(process.execPath, ["--test", `--test-concurrency=${concurrency}`, ...files], { stdio: ["ignore", "pipe", "inherit"], env });
    const counts = { pass: 0, fail: 0, skipped: 0 };
    let tail = "";
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    });
    child.on("close", (code) => {
      for (const key of ["pass", "fail", "skipped"]) {
        const m = new RegExp(`^# ${key} (\\d+)$`, "m").exec(tail);
        if (m) counts[key] = Number(m[1]);
      }
      if (code !== 0 && counts.fail === 0) counts.fail = 1;
      resolve(counts);
    });
  });
}
