// The README's main job: on a real OpenClaw release in a scratch folder (never the operator's own
// install), show status, the planned edits, apply, verify, what changed, and a byte-exact revert.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureRelease, makeScratch, scratchCopy, treeHash } from "../build/test/support/packages.js";

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
const applied = step("apply (one transaction)", ["apply", ...target]);
step("static verification", ["verify", ...target]);
step("a second apply changes nothing", ["apply", ...target]);
step("patched state", ["status", ...target]);

process.stdout.write("\n== 4. What changed\n");
const record = JSON.parse(spawnSync(process.execPath, [cli, "status", "--json", ...target], { encoding: "utf8" }).stdout);
for (const f of record.files) process.stdout.write(`  ${f.path}: ${f.state}\n`);

process.stdout.write("\n== 5. Revert, byte for byte\n");
step("revert", ["revert", ...target]);
const identical = (await treeHash(root)) === pristine;
process.stdout.write(`\nwhole-tree sha256 after revert ${identical ? "equals" : "DIFFERS FROM"} the pristine release\n`);
fs.rmSync(scratch, { recursive: true, force: true });
process.exitCode = applied.status === 0 && identical ? 0 : 1;
