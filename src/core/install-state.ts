import fs from "node:fs/promises";
import path from "node:path";
import { sha256 } from "./hash.js";
import type { InstallHandle } from "./install.js";
import type { Manifest, ManifestFile } from "./manifest.js";

export type InstallState = "stock" | "patched" | "partly-patched" | "changed" | "upgraded";

export type FileState = "patched" | "original" | "missing" | "changed";

export interface FileCheck {
  path: string;
  state: FileState;
}

export interface StateReport {
  state: InstallState;
  files: FileCheck[];
  /** True when every file was judged from size and mtime alone, without hashing. */
  fromStatOnly: boolean;
}

export function releaseChanged(install: InstallHandle, manifest: Manifest): boolean {
  return (
    manifest.release.version !== install.version ||
    manifest.releaseStamp.file !== install.stamp.file ||
    manifest.releaseStamp.size !== install.stamp.size ||
    manifest.releaseStamp.mtimeMs !== install.stamp.mtimeMs
  );
}

/**
 * Judges each recorded file. `fast` trusts an unchanged size and mtime (what the upgrade hook needs
 * before every gateway start) and hashes only files whose stat differs.
 */
export async function inspectFiles(install: InstallHandle, manifest: Manifest | undefined, fast: boolean): Promise<StateReport> {
  if (!manifest) return { state: "stock", files: [], fromStatOnly: true };
  if (releaseChanged(install, manifest)) {
    const files = await Promise.all(manifest.files.map((f) => checkFile(install.realRoot, f)));
    if (!files.some((f) => f.state === "patched")) return { state: "upgraded", files, fromStatOnly: false };
  }
  let statOnly = true;
  const files = await Promise.all(
    manifest.files.map(async (f) => {
      const quick = fast ? await statMatches(install.realRoot, f) : false;
      if (quick) return { path: f.path, state: "patched" as const };
      statOnly = false;
      return checkFile(install.realRoot, f);
    }),
  );
  return { state: summarize(files), files, fromStatOnly: statOnly };
}

function summarize(files: readonly FileCheck[]): InstallState {
  if (files.some((f) => f.state === "changed")) return "changed";
  const patched = files.filter((f) => f.state === "patched").length;
  if (patched === files.length) return "patched";
  if (patched === 0) return "stock";
  return "partly-patched";
}

async function statMatches(root: string, f: ManifestFile): Promise<boolean> {
  const st = await fs.stat(path.join(root, f.path)).catch(() => undefined);
  return st !== undefined && st.size === f.after.size && st.mtimeMs === f.after.mtimeMs;
}

async function checkFile(root: string, f: ManifestFile): Promise<FileCheck> {
  const data = await fs.readFile(path.join(root, f.path)).catch(() => undefined);
  if (data === undefined) return { path: f.path, state: f.before === null ? "original" : "missing" };
  const hash = sha256(data);
  if (hash === f.after.sha256) return { path: f.path, state: "patched" };
  if (f.before !== null && hash === f.before.sha256) return { path: f.path, state: "original" };
  return { path: f.path, state: "changed" };
}
