// Runs the compiled test files with node's test runner: fast suites first (two at a time), then the
// suites that start a real gateway, one at a time so they do not compete for the two cores.
// --unit skips the gateway suites. Prints one closing "N passed, N failed" line for both runs.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const testRoot = path.join(root, "build", "test");
const unitOnly = process.argv.includes("--unit");
const filter = process.argv.slice(2).filter((a) => !a.startsWith("--"));

function collect(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(".test.js")).map((f) => path.join(dir, f)).sort();
}

const all = collect(testRoot).filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)));
const isGateway = (f) => f.includes(`${path.sep}gateway${path.sep}`);
const groups = [
  { name: "unit and engine", files: all.filter((f) => !isGateway(f)), concurrency: 2 },
  { name: "live gateway", files: unitOnly ? [] : all.filter(isGateway), concurrency: 1 },
];

// Tools beyond Node (systemd-analyze for the hook tests) come from the project's own setup script.
if (!unitOnly) {
  const setup = spawnSync("sh", [path.join(root, "scripts", "setup-test-tools.sh")], { stdio: "inherit" });
  if (setup.status !== 0) process.stdout.write("run-tests: setup-test-tools.sh failed; tests needing those tools will skip\n");
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const group of groups) {
  if (group.files.length === 0) continue;
  process.stdout.write(`\n=== ${group.name}: ${group.files.length} file(s)\n`);
  const counts = await runGroup(group.files, group.concurrency);
  passed += counts.pass;
  failed += counts.fail;
  skipped += counts.skipped;
}
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;

function runGroup(files, concurrency) {
  return new Promise((resolve) => {
    // Runtimes attached in unit tests trace by default; keep that out of the operator's ~/.openclaw.
    const env = { ...process.env, OPENCLAW_PATCH_TRACE_FILE: process.env.OPENCLAW_PATCH_TRACE_FILE ?? path.join(os.tmpdir(), "openclaw-patch-tests", "trace.jsonl") };
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
