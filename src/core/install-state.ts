import fs from "node:fs/promises";
import path from "node:path";
import { sha256 } from "./hash.js";
import type { InstallHandle } from "./open-install.js";
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
  /**
   * On an upgraded install, the files of the old release that are still as openclaw-patch wrote
   * them (an upgrade copied over the old tree without deleting it): ours, but no longer the release's
   * code. Empty otherwise.
   */
  leftByRelease: string[];
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
  if (!manifest) return { state: "stock", files: [], fromStatOnly: true, leftByRelease: [] };
  if (releaseChanged(install, manifest)) {
    const files = await Promise.all(manifest.files.map((f) => checkFile(install.realRoot, f)));
    // Another release's record says nothing about this release's sites: its files may still hash as
    // patched after an upgrade that copied the new release over the old tree (the new chunks have
    // other names), while the code the gateway now runs carries no fix. So another version is
    // upgraded, whatever its old files say; the same version with a new stamp (a reinstall) is
    // upgraded only when none of the recorded files is ours any more.
    const leftByRelease = files.filter((f, i) => f.state === "patched" && manifest.files[i]!.before !== null).map((f) => f.path);
    if (manifest.release.version !== install.version || !files.some((f) => f.state === "patched")) {
      return { state: "upgraded", files, fromStatOnly: false, leftByRelease };
    }
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
  return { state: summarize(files), files, fromStatOnly: statOnly, leftByRelease: [] };
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
