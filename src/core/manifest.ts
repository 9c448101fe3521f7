import fs from "node:fs/promises";
import path from "node:path";
import { OcpError, diagnostic } from "./diagnostics.js";
import { manifestShapeProblem } from "./manifest-shape.js";
import { INSTALL_FILES } from "./state-layout.js";
import { readTextIfExists } from "./read-text.js";
import { renameWithRetry, syncFolder, tempPathFor, writeFileDurably, writeTempBeside } from "./fs-safe.js";
import type { RuntimeConfig } from "../runtime/contract.js";
import type { FixReport } from "./fixes.js";
import type { PatchOutcome } from "./plan.js";

export interface FileVersion {
  sha256: string;
  size: number;
  mode: number;
}

export interface ManifestFile {
  /** Relative to the package root, forward slashes. */
  path: string;
  /** Absent for files apply added (the runtime). */
  before: FileVersion | null;
  after: FileVersion & { mtimeMs: number };
  patches: string[];
}

export interface Manifest {
  schema: 1;
  toolVersion: string;
  root: string;
  release: { version: string; source: string };
  /** Cheap fingerprint of the release: an upgrade changes it before anything else. */
  releaseStamp: { file: string; size: number; mtimeMs: number };
  appliedAt: string;
  config: RuntimeConfig;
  patchSet: string[];
  patches: PatchOutcome[];
  fixes: FixReport[];
  files: ManifestFile[];
}

export const MANIFEST_FILE = INSTALL_FILES.manifest;

export async function readManifest(installDir: string, root: string): Promise<Manifest | undefined> {
  const file = path.join(installDir, MANIFEST_FILE);
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, `not valid JSON (${(error as Error).message})`);
  }
  return validateManifest(value, file, root);
}

function corrupt(file: string, why: string): OcpError {
  return new OcpError(
    diagnostic("OCP_MANIFEST_CORRUPT", `the install record ${file} is unreadable: ${why}`, `the previous record is kept as ${MANIFEST_FILE}.prev beside it; restore it if it is intact, or reinstall this OpenClaw release and run \`openclaw-patch revert --forget\` to start clean`, { manifest: file }),
  );
}

function validateManifest(value: unknown, file: string, root: string): Manifest {
  const m = value as Partial<Manifest>;
  if (!m || typeof m !== "object" || Array.isArray(m)) throw corrupt(file, "not an object");
  if (typeof m.schema === "number" && m.schema > 1) throw corrupt(file, `written by a newer openclaw-patch (record schema ${m.schema})`);
  if (m.schema !== 1) throw corrupt(file, "unknown schema");
  const problem = manifestShapeProblem(m as Record<string, unknown>);
  if (problem !== undefined) throw corrupt(file, problem);
  // The shape is checked in full above; what remains is where its paths lead.
  const record = m as Manifest;
  for (const f of record.files) {
    if (!isInsidePackage(f.path)) {
      throw new OcpError(
        diagnostic("OCP_MANIFEST_UNSAFE", `the install record ${file} names a path outside the package: ${JSON.stringify(f.path)}`, "openclaw-patch never writes outside the package and its state folder; remove the record (it was not written by openclaw-patch) and reinstall OpenClaw if its files look changed", { manifest: file, path: f.path, root }),
      );
    }
  }
  if (!isInsidePackage(record.releaseStamp.file)) throw corrupt(file, "release stamp outside the package");
  return record;
}

/** A manifest path must be relative, normalised and stay under the package root. */
export function isInsidePackage(rel: string): boolean {
  if (rel.length === 0 || rel.includes("\0") || rel.includes("\\")) return false;
  if (path.posix.isAbsolute(rel) || /^[A-Za-z]:/.test(rel)) return false;
  const normal = path.posix.normalize(rel);
  return normal === rel && !normal.startsWith("../") && normal !== ".." && !normal.startsWith("/");
}

export async function writeManifest(installDir: string, manifest: Manifest): Promise<void> {
  await fs.mkdir(installDir, { recursive: true });
  const file = path.join(installDir, MANIFEST_FILE);
  await installManifest(installDir, await writeTempBeside(file, manifestText(manifest), { mode: 0o600 }));
}

export function manifestText(manifest: Manifest): string {
  return JSON.stringify(manifest, null, 2);
}

/**
 * Puts a completely written manifest (a temp beside manifest.json) in place, keeping the one it
 * replaces as manifest.json.prev. Only links and renames: it needs no free space, so a transaction
 * can finish on a full disk, and it never writes through a link planted at either name.
 */
export async function installManifest(installDir: string, staged: string): Promise<void> {
  const file = path.join(installDir, MANIFEST_FILE);
  await keepPrevious(file);
  await renameWithRetry(staged, file);
  await syncFolder(installDir);
}

async function keepPrevious(file: string): Promise<void> {
  const prev = `${file}.prev`;
  const temp = tempPathFor(prev);
  try {
    await fs.link(file, temp);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    // A file system without hard links: copy instead.
    await writeFileDurably(prev, await fs.readFile(file), { mode: 0o600 });
    return;
  }
  try {
    await renameWithRetry(temp, prev);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

export async function removeManifest(installDir: string): Promise<void> {
  const file = path.join(installDir, MANIFEST_FILE);
  await renameWithRetry(file, `${file}.prev`).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
}

export async function writeJsonDurably(file: string, value: unknown): Promise<void> {
  await writeFileDurably(file, JSON.stringify(value, null, 2), { mode: 0o600 });
}
