import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { after } from "node:test";
import { makeScratch, scratchCopy } from "../support/packages.js";

/** The releases issue 19 was found on; the smaller one keeps most tests quick. */
export const RELEASE = "2026.3.24";

const scratches: string[] = [];
after(async () => {
  for (const dir of scratches) await fs.rm(dir, { recursive: true, force: true });
});

export interface Setup {
  scratch: string;
  root: string;
  state: string;
  /** --dir and --state-dir, for runCli. */
  args: string[];
}

/** A private copy of a release (real path) and an empty state folder beside it. */
export async function setup(label: string, release = RELEASE): Promise<Setup> {
  const scratch = await fs.realpath(await makeScratch(label));
  scratches.push(scratch);
  const root = await scratchCopy(release, scratch);
  const state = path.join(scratch, "state");
  return { scratch, root, state, args: ["--dir", root, "--state-dir", state, "--json"] };
}

/** Where the tool keeps an install's record inside a state folder (installs/<first 16 of sha256(real root)>). */
export function installDirOf(state: string, realRoot: string): string {
  return path.join(state, "installs", createHash("sha256").update(realRoot).digest("hex").slice(0, 16));
}

/** Files whose names mark them as the tool's temps or probes, below dir. */
export async function strayFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.map(String).filter((entry) => /\.ocp-/.test(path.basename(entry)));
}
