// The README's main job: on a real OpenClaw release in a scratch folder (never the operator's own
// install), show status, the planned edits, apply, verify, what changed, and a byte-exact revert.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureRelease, makeScratch, scratchCopy, treeHash } from "../build/test/support/packages.js";
import { freshGatewayCopy, nodeVersionForGateway } from "../build/test/support/gateway-install.js";
import { ensureNode } from "../build/test/support/node-binary.js";
import { runZombieScenarios, FAST_PATCH_ENV } from "../build/test/gateway/scenarios.js";

const version = process.env.OCP_DEMO_RELEASE ?? "2026.3.24";
const cli = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../build/src/cli.js");

function step(title, args, { maxLines = 40 } = {}) {
  process.stdout.write(`\n$ openclaw-patch ${args.join(" ")}\n`);
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
  const out = `${r.stdout}${r.stderr}`.trimEnd().split("\n");
  const shown = out.length > maxLines ? [...out.slice(0, maxLines), `  … (${out.length - maxLines} more lines)`] : out;
  process.stdout.write(`${shown.join("\n")}\n[exit ${r.status}] ${title}\n`);
  return r;
}

process.stdout.write("== 1. Looking for an OpenClaw install on this machine (read only)\n");
const detected = step("auto-detection", ["status"]);
if (detected.status !== 0) process.stdout.write("No usable install here: the demo works on a real release fetched into a scratch folder.\n");
else process.stdout.write("An install was found; the demo still works on a scratch copy and never touches it.\n");

process.stdout.write(`\n== 2. Fetching openclaw@${version} from the npm registry (cached in ~/.cache/openclaw-patch)\n`);
await ensureRelease(version);
const scratch = await makeScratch("demo");
const root = await scratchCopy(version, scratch);
const pristine = await treeHash(root);
const target = ["--dir", root, "--state-dir", path.join(scratch, "state")];
process.stdout.write(`scratch install: ${root}\n`);

process.stdout.write("\n== 3. Patch it\n");
step("state of the stock release", ["status", ...target]);
step("every edit, as a window of original and patched text", ["apply", "--dry-run", ...target], { maxLines: 24 });
const applied = step("apply (one transaction): what changed, file by file", ["apply", ...target]);
step("static verification", ["verify", ...target]);
step("a second apply changes nothing", ["apply", ...target]);
step("patched state", ["status", ...target]);

process.stdout.write("\n== 4. Revert, byte for byte\n");
step("revert", ["revert", ...target]);
const identical = (await treeHash(root)) === pristine;
process.stdout.write(`\nwhole-tree sha256 after revert ${identical ? "equals" : "DIFFERS FROM"} the pristine release\n`);
fs.rmSync(scratch, { recursive: true, force: true });

// The fix on the live gateway: the same misbehaving peers against the stock and the patched release.
let live = true;
if (process.env.OCP_DEMO_SKIP_GATEWAY !== "1") {
  process.stdout.write(`\n== 5. The live gateway: openclaw ${version} under Node ${nodeVersionForGateway(version)}, loopback only, token auth\n`);
  process.stdout.write("(first run: fetches Node and the release's dependencies from the npm registry into ~/.cache/openclaw-patch)\n");
  const nodeBin = await ensureNode(nodeVersionForGateway(version));
  const gatewayScratch = await makeScratch("demo-gateway");
  const kinds = ["healthy", "authenticatedFrozen", "frozenFullWindow", "closeFrameThenNoRead", "canvasSilent"];
  const env = { ...FAST_PATCH_ENV };
  const windowMs = 8_000;
  // The middle run shows what the process alone would settle for: it lets go, the kernel keeps an orphan.
  const variants = [
    { name: "stock", apply: null },
    { name: "patched, graceful close", apply: ["--no-abortive-close"] },
    { name: "patched", apply: [] },
  ];
  const runs = {};
  for (const variant of variants) {
    const dir = path.join(gatewayScratch, variant.name.replace(/[^a-z]+/g, "-"));
    const root = await freshGatewayCopy(version, dir);
    if (variant.apply) spawnSync(process.execPath, [cli, "apply", "--dir", root, "--state-dir", path.join(dir, "state"), ...variant.apply], { stdio: "ignore" });
    process.stdout.write(`  starting the ${variant.name} gateway, connecting ${kinds.join(", ")}, watching the kernel's socket table for ${windowMs / 1000} s…\n`);
    runs[variant.name] = await runZombieScenarios({ packageRoot: root, nodeBin, scratchDir: path.join(dir, "gw"), env, windowMs, kinds, shutdown: { signal: "SIGTERM", capMs: 40_000 } });
  }
  const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
  const kib = (bytes) => (bytes > 0 ? ` ${Math.round(bytes / 1024)} KiB queued` : "");
  const processView = (c) => (c.heldAtEnd ? "held" : c.releasedAfterMs !== undefined ? `let go at ${seconds(c.releasedAfterMs)}` : "let go");
  const kernelView = (c) => {
    const rows = c.statesAtEnd.filter((state) => state !== "TIME_WAIT");
    if (rows.length === 0) return c.goneAfterMs !== undefined ? `gone at ${seconds(c.goneAfterMs)}` : "gone";
    return `${rows.join("+")}${c.heldAtEnd ? "" : " orphan"}${kib(c.sendQueueAtEnd)}`;
  };
  const describe = (c) => (c.kind === "healthy" ? (c.heldAtEnd ? "still connected" : "DROPPED") : `process: ${processView(c)}; kernel: ${kernelView(c)}`);
  process.stdout.write(`\n  the gateway's end of each peer after ${windowMs / 1000} s, in the process and in the kernel's table (orphans included)\n`);
  process.stdout.write("  (heartbeat 2 s, pong timeout 2 s, close grace 1 s, set through OPENCLAW_PATCH_* at gateway start)\n");
  for (const kind of kinds) {
    process.stdout.write(`  ${kind}\n`);
    for (const variant of variants) process.stdout.write(`    ${variant.name.padEnd(26)}${describe(runs[variant.name].clients.find((c) => c.kind === kind))}\n`);
    const patched = runs.patched.clients.find((c) => c.kind === kind);
    const kernelClear = patched.statesAtEnd.every((state) => state === "TIME_WAIT");
    if (kind === "healthy" ? !patched.heldAtEnd : patched.heldAtEnd || !kernelClear) live = false;
  }
  const exit = (r) => `${(r.shutdown.elapsedMs / 1000).toFixed(1)} s${r.shutdown.forcedKill ? " (killed)" : ""}`;
  process.stdout.write("  SIGTERM to exit\n");
  for (const variant of variants) process.stdout.write(`    ${variant.name.padEnd(26)}${exit(runs[variant.name])}\n`);
  fs.rmSync(gatewayScratch, { recursive: true, force: true });
}
process.exitCode = applied.status === 0 && identical && live ? 0 : 1;
