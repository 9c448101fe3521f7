import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCommand } from "../support/node-binary.js";

/** The checkout this test was built from (build/test/install → the repository root). */
export const SOURCE_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const STEP_TIMEOUT_MS = 15 * 60_000;

export interface PackedClone {
  clone: string;
  commit: string;
  tarball: string;
  /** Wall time of `npm ci` plus `npm pack` in the clone. */
  packMs: number;
}

/** Why the lane cannot run here, or undefined when it can. */
export function packSkipReason(): string | undefined {
  if (process.platform !== "linux" || process.arch !== "x64") return "the Node binaries the lane installs under are linux-x64";
  if (!existsSync(path.join(SOURCE_ROOT, ".git"))) return `${SOURCE_ROOT} is not a git checkout`;
  return undefined;
}

/**
 * A clean clone of this checkout, holding what a commit of the working tree would hold (tracked
 * changes and untracked, unignored files are carried over, so the lane tests the code being
 * worked on), then `npm ci` and `npm pack` in it as a maintainer would. Nothing from this
 * checkout's node_modules or build/ reaches the tarball.
 */
export async function packFromCleanClone(scratch: string): Promise<PackedClone> {
  const clone = path.join(scratch, "clone");
  await step("git", ["clone", "--quiet", "--no-hardlinks", SOURCE_ROOT, clone], scratch);
  const diff = await output("git", ["-C", SOURCE_ROOT, "diff", "HEAD", "--binary"]);
  if (diff.trim() !== "") {
    const patch = path.join(scratch, "working-tree.diff");
    await fs.writeFile(patch, diff);
    await step("git", ["-C", clone, "apply", "--binary", patch], scratch);
  }
  const untracked = (await output("git", ["-C", SOURCE_ROOT, "ls-files", "--others", "--exclude-standard", "-z"])).split("\0").filter(Boolean);
  for (const file of untracked) {
    await fs.mkdir(path.dirname(path.join(clone, file)), { recursive: true });
    await fs.copyFile(path.join(SOURCE_ROOT, file), path.join(clone, file));
  }
  if (diff.trim() !== "" || untracked.length > 0) {
    await step("git", ["-C", clone, "add", "-A"], scratch);
    await step("git", ["-C", clone, "-c", "user.name=install lane", "-c", "user.email=lane@invalid", "commit", "--quiet", "--no-verify", "-m", "working tree"], scratch);
  }
  const commit = (await output("git", ["-C", clone, "rev-parse", "HEAD"])).trim();
  const started = performance.now();
  await step("npm", ["ci", "--no-audit", "--no-fund"], clone);
  const dist = path.join(scratch, "dist");
  await fs.mkdir(dist);
  await step("npm", ["pack", "--pack-destination", dist], clone);
  const packMs = performance.now() - started;
  const [name] = (await fs.readdir(dist)).filter((f) => /^openclaw-patch-.*\.tgz$/.test(f));
  if (name === undefined) throw new Error(`npm pack wrote no openclaw-patch-*.tgz into ${dist}`);
  return { clone, commit, tarball: path.join(dist, name), packMs };
}

async function step(command: string, args: string[], cwd: string): Promise<void> {
  const result = await runCommand(command, args, { cwd, timeoutMs: STEP_TIMEOUT_MS });
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.code ?? result.signal}):\n${result.output}`);
}

function output(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 256 << 20, timeout: STEP_TIMEOUT_MS }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}
