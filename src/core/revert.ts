import fs from "node:fs/promises";
import path from "node:path";
import { OcpError, diagnostic, isOcpError, warning, type Diagnostic } from "./diagnostics.js";
import type { InstallHandle } from "./open-install.js";
import { inspectFiles, type InstallState } from "./install-state.js";
import { readManifest, removeManifest } from "./manifest.js";
import { setRecordAside } from "./record-aside.js";
import { sha256 } from "./hash.js";
import { commitChanges, recoverInterrupted, type FileChange, type RecoveryReport } from "./transaction.js";
import { readMeta } from "./fs-safe.js";
import { assertPlainPackage } from "./plain-package.js";

export interface RevertOptions {
  force: boolean;
  /** Drop the record without touching files (after a manual reinstall). */
  forget: boolean;
  retryCommand: string;
}

export interface RevertResult {
  outcome: "reverted" | "nothing-to-revert" | "forgotten";
  /** `unreadable-record` only from `--forget` on a record that could not be read. */
  stateBefore: InstallState | "unreadable-record";
  recovery?: RecoveryReport;
  restoredFiles: string[];
  removedFiles: string[];
  diagnostics: Diagnostic[];
}

/** Puts back every original byte; refuses to overwrite files someone else changed unless forced. */
export async function revertPatches(install: InstallHandle, options: RevertOptions): Promise<RevertResult> {
  await assertPlainPackage(install.realRoot);
  const target = { root: install.realRoot, installDir: install.installDir, objects: install.objects, retryCommand: options.retryCommand };
  const recovery = await recoverInterrupted(target);
  if (options.forget) return forget(install, recovery);
  const manifest = await readManifest(install.installDir, install.realRoot);
  const inspected = await inspectFiles(install, manifest, false);
  const base = { stateBefore: inspected.state, ...(recovery ? { recovery } : {}), restoredFiles: [] as string[], removedFiles: [] as string[] };
  if (!manifest) return { ...base, outcome: "nothing-to-revert", diagnostics: [warning("OCP_NOT_PATCHED", "openclaw-patch has no record of patching this install", "nothing to do")] };
  // On an upgraded install only the old release's files still as we wrote them are ours to restore
  // (an upgrade that copied over the old tree leaves them); the rest are the new release's.
  const ours = inspected.state === "upgraded" ? manifest.files.filter((f) => inspected.files.find((x) => x.path === f.path)?.state === "patched") : manifest.files;
  if (inspected.state === "upgraded" && ours.length === 0) {
    await removeManifest(install.installDir);
    return {
      ...base,
      outcome: "nothing-to-revert",
      diagnostics: [warning("OCP_UPGRADED", `the install was upgraded to ${install.version} since openclaw-patch patched ${manifest.release.version}; none of its files are ours any more`, "nothing to revert; the stale record was removed")],
    };
  }
  const changed = inspected.state === "upgraded" ? [] : inspected.files.filter((f) => f.state === "changed" || f.state === "missing").map((f) => f.path);
  if (changed.length > 0 && !options.force) {
    throw new OcpError(
      diagnostic("OCP_TARGET_CHANGED", `${changed.length} file(s) match neither the patched nor the original content: ${changed.join(", ")}`, "someone else changed them after openclaw-patch; run `openclaw-patch revert --force` to overwrite them with the originals anyway", { files: changed }),
    );
  }

  const changes: FileChange[] = [];
  for (const f of ours) {
    const file = path.join(install.realRoot, f.path);
    const current = await fs.readFile(file).catch(() => null);
    if (f.before === null) {
      if (current) changes.push({ path: f.path, from: current, to: null, meta: null });
      continue;
    }
    if (current && sha256(current) === f.before.sha256) continue;
    // Fetch (and hash-check) every backup before anything is written.
    const original = await install.objects.get(f.before.sha256, f.path);
    const meta = current ? await readMeta(file) : { mode: f.before.mode, uid: 0, gid: 0 };
    changes.push({ path: f.path, from: current, to: original, meta: { ...meta, mode: f.before.mode } });
  }
  await commitChanges(target, "revert", changes, null);

  const mismatched: string[] = [];
  for (const f of ours) {
    const current = await fs.readFile(path.join(install.realRoot, f.path)).catch(() => null);
    const ok = f.before === null ? current === null : current !== null && sha256(current) === f.before.sha256;
    if (!ok) mismatched.push(f.path);
  }
  if (mismatched.length > 0) {
    throw new OcpError(diagnostic("OCP_REVERT_MISMATCH", `after revert ${mismatched.length} file(s) do not hash to their originals: ${mismatched.join(", ")}`, "reinstall this OpenClaw release to get pristine files", { files: mismatched }));
  }
  return {
    ...base,
    outcome: "reverted",
    restoredFiles: changes.filter((c) => c.to).map((c) => c.path),
    removedFiles: changes.filter((c) => !c.to).map((c) => c.path),
    diagnostics:
      inspected.state === "upgraded"
        ? [warning("OCP_UPGRADED", `the install was upgraded to ${install.version} since openclaw-patch patched ${manifest.release.version}; only the files that release left behind were ours, and they were restored`, "nothing else to revert; the record was removed", { leftByRelease: inspected.leftByRelease })]
        : [],
  };
}

/** Record problems `--forget` is the remedy for: it must work on exactly these records. */
const UNREADABLE_RECORD = new Set(["OCP_MANIFEST_CORRUPT", "OCP_MANIFEST_UNSAFE"]);

/**
 * Drops the record without touching the package. A record that cannot be read (corrupt, unsafe, of
 * a newer schema) is what the remedy of those errors sends here, so it is not read first: it is set
 * aside under a name that says so, for a person to look at, and the install counts as unrecorded.
 */
async function forget(install: InstallHandle, recovery: RecoveryReport | undefined): Promise<RevertResult> {
  const base = { ...(recovery ? { recovery } : {}), restoredFiles: [] as string[], removedFiles: [] as string[] };
  let manifest: Awaited<ReturnType<typeof readManifest>>;
  try {
    manifest = await readManifest(install.installDir, install.realRoot);
  } catch (error) {
    if (!isOcpError(error) || !UNREADABLE_RECORD.has(error.diagnostic.code)) throw error;
    const aside = await setRecordAside(install.installDir, "unreadable");
    return {
      ...base,
      stateBefore: "unreadable-record",
      outcome: "forgotten",
      diagnostics: [warning("OCP_RECORD_SET_ASIDE", `the unreadable install record was set aside as ${aside ?? "(gone meanwhile)"}; no file of the package was touched`, "run `openclaw-patch status` to see the install as it is now, then `openclaw-patch apply` to patch it afresh", { setAside: aside ?? null, problem: error.diagnostic.message })],
    };
  }
  const inspected = await inspectFiles(install, manifest, false);
  if (!manifest) return { ...base, stateBefore: inspected.state, outcome: "nothing-to-revert", diagnostics: [warning("OCP_NOT_PATCHED", "openclaw-patch has no record of patching this install", "nothing to do")] };
  await removeManifest(install.installDir);
  return { ...base, stateBefore: inspected.state, outcome: "forgotten", diagnostics: [] };
}
