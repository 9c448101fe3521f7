import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The releases the engine matrix covers: at least one per era of the gateway's WebSocket code. */
export const MATRIX_RELEASES = ["2026.2.1", "2026.2.26", "2026.3.24", "2026.4.5", "2026.4.26", "2026.5.2", "2026.6.10", "2026.7.35", "2026.8.2", "2026.9.6"] as const;

export function cacheRoot(): string {
  return process.env.OPENCLAW_PATCH_TEST_CACHE ?? path.join(os.homedir(), ".cache", "openclaw-patch");
}

/**
 * The published package of a release, fetched with `npm pack` and extracted once into the cache
 * outside the clone. Tests never write into it: they work on scratchCopy().
 */
export async function ensureRelease(version: string): Promise<string> {
  const dir = path.join(cacheRoot(), "pkgs", version);
  const root = path.join(dir, "package");
  if (existsSync(path.join(root, "package.json")) && existsSync(path.join(dir, ".complete"))) return root;
  if (existsSync(path.join(root, "package.json")) && !existsSync(path.join(dir, ".complete"))) {
    // Extracted by an earlier run that predates the completion marker.
    await fs.writeFile(path.join(dir, ".complete"), "");
    return root;
  }
  const tarball = await ensureTarball(version);
  // Two test files may fetch one release at once: each extracts into its own staging folder, marks
  // it complete there, and renames it into place only if no complete copy is there yet, so a
  // reader never sees a half-extracted or half-replaced release.
  const staging = `${dir}.staging-${process.pid}-${Date.now()}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  try {
    await run("tar", ["-xzf", tarball, "-C", staging], { timeout: 10 * 60_000 });
    await fs.writeFile(path.join(staging, ".complete"), "");
    if (!existsSync(path.join(dir, ".complete"))) {
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rename(staging, dir).catch((error: unknown) => {
        if (!existsSync(path.join(dir, ".complete"))) throw error;
      });
    }
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  return root;
}

/** `npm pack` into a private folder, then a rename: a concurrent reader never sees a partial tarball. */
async function ensureTarball(version: string): Promise<string> {
  const tarballs = path.join(cacheRoot(), "tarballs");
  const tarball = path.join(tarballs, `openclaw-${version}.tgz`);
  if (existsSync(tarball)) return tarball;
  const staging = path.join(tarballs, `.staging-${process.pid}-${Date.now()}`);
  await fs.mkdir(staging, { recursive: true });
  try {
    await run("npm", ["pack", `openclaw@${version}`, "--silent", "--pack-destination", staging], { timeout: 10 * 60_000, maxBuffer: 16 << 20 });
    await fs.rename(path.join(staging, `openclaw-${version}.tgz`), tarball);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  return tarball;
}

/**
 * A private copy of a release for one test. Files are hardlinked to the cache: the tool writes by
 * rename and must never write through a link, so the pristine tree hash catches any breach.
 */
export async function scratchCopy(version: string, scratch: string): Promise<string> {
  const source = await ensureRelease(version);
  const target = path.join(scratch, "node_modules", "openclaw");
  await fs.mkdir(path.dirname(target), { recursive: true });
  await run("cp", ["-al", source, target], { timeout: 5 * 60_000 });
  return target;
}

/** sha256 over every file path, mode and content under root: equal trees give equal hashes. */
export async function treeHash(root: string): Promise<string> {
  const files: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.push(full);
    }
  }
  await walk(root);
  files.sort();
  const hash = createHash("sha256");
  for (const file of files) {
    const [content, st] = await Promise.all([fs.readFile(file), fs.lstat(file)]);
    hash.update(`${path.relative(root, file)}\0${st.mode & 0o777}\0`);
    hash.update(createHash("sha256").update(content).digest());
  }
  return hash.digest("hex");
}

/** The pristine tree hash of a release, computed once per cache. */
export async function pristineTreeHash(version: string): Promise<string> {
  const root = await ensureRelease(version);
  const file = path.join(path.dirname(root), ".tree-sha256");
  if (existsSync(file)) return (await fs.readFile(file, "utf8")).trim();
  const hash = await treeHash(root);
  await fs.writeFile(file, hash);
  return hash;
}

export async function makeScratch(label: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `ocp-${label}-`));
}

/** A scratch-folder maker for one test file: every folder it makes is removed when the file's tests end. */
export function scratchFolders(): (label: string) => Promise<string> {
  const made: string[] = [];
  after(async () => {
    for (const dir of made) await fs.rm(dir, { recursive: true, force: true });
  });
  return async (label) => {
    const dir = await makeScratch(label);
    made.push(dir);
    return dir;
  };
}
