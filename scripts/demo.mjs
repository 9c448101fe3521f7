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
  const kinds = ["healthy", "authenticatedFrozen", "closeFrameThenNoRead", "canvasSilent"];
  const env = { ...FAST_PATCH_ENV };
  const windowMs = 8_000;
  const runs = {};
  for (const variant of ["stock", "patched"]) {
    const root = await freshGatewayCopy(version, path.join(gatewayScratch, variant));
    if (variant === "patched") spawnSync(process.execPath, [cli, "apply", "--dir", root, "--state-dir", path.join(gatewayScratch, "state")], { stdio: "ignore" });
    process.stdout.write(`  starting the ${variant} gateway, connecting ${kinds.join(", ")}, watching the kernel's socket table for ${windowMs / 1000} s…\n`);
    runs[variant] = await runZombieScenarios({ packageRoot: root, nodeBin, scratchDir: path.join(gatewayScratch, `gw-${variant}`), env, windowMs, kinds, shutdown: { signal: "SIGTERM", capMs: 40_000 } });
  }
  const describe = (c) => (c.kind === "healthy" ? (c.heldAtEnd ? "still connected" : "DROPPED") : c.heldAtEnd ? `held (${c.statesAtEnd.join(",")})` : c.releasedAfterMs !== undefined ? `reclaimed after ${(c.releasedAfterMs / 1000).toFixed(1)} s` : "gone");
  process.stdout.write(`\n  gateway-side socket after ${windowMs / 1000} s (heartbeat 2 s, pong timeout 2 s, close grace 1 s, set through OPENCLAW_PATCH_* at gateway start)\n`);
  process.stdout.write(`  ${"peer".padEnd(22)}${"stock".padEnd(28)}patched\n`);
  for (const kind of kinds) {
    const stock = runs.stock.clients.find((c) => c.kind === kind);
    const patched = runs.patched.clients.find((c) => c.kind === kind);
    process.stdout.write(`  ${kind.padEnd(22)}${describe(stock).padEnd(28)}${describe(patched)}\n`);
    if (kind === "healthy" ? !patched.heldAtEnd : patched.heldAtEnd) live = false;
  }
  const exit = (r) => `${(r.shutdown.elapsedMs / 1000).toFixed(1)} s${r.shutdown.forcedKill ? " (killed)" : ""}`;
  process.stdout.write(`  ${"SIGTERM to exit".padEnd(22)}${exit(runs.stock).padEnd(28)}${exit(runs.patched)}\n`);
  fs.rmSync(gatewayScratch, { recursive: true, force: true });
}
process.exitCode = applied.status === 0 && identical && live ? 0 : 1;
