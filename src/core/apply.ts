import fs from "node:fs/promises";
import path from "node:path";
import { OcpError, diagnostic, type Diagnostic } from "./diagnostics.js";
import type { InstallHandle } from "./open-install.js";
import { inspectFiles, type InstallState } from "./install-state.js";
import { readManifest, writeManifest, type Manifest, type ManifestFile } from "./manifest.js";
import { contractDiagnostics, matchSites } from "./match.js";
import { planPatches, type Plan, type PlannedFile } from "./plan.js";
import type { PatchDefinition } from "./patch.js";
import { RUNTIME_FILE } from "./preamble.js";
import { isOurRuntime, readRuntimeAsset } from "./runtime-asset.js";
import { sha256 } from "./hash.js";
import { commitChanges, recoverInterrupted, type FileChange, type RecoveryReport } from "./transaction.js";
import { readMeta } from "./fs-safe.js";
import { assertPlainPackage } from "./plain-package.js";
import type { SiteSpec } from "./site.js";
import type { RuntimeConfig } from "../runtime/contract.js";
import type { MatchReport } from "./match.js";
import { sameRecipe } from "./up-to-date.js";

export interface ApplyOptions {
  toolVersion: string;
  patches: readonly PatchDefinition[];
  sites: readonly SiteSpec[];
  config: RuntimeConfig;
  dryRun: boolean;
  /** Overwrite files someone else changed since we patched them. */
  force: boolean;
  retryCommand: string;
}

export type ApplyOutcome = "applied" | "reapplied" | "unchanged" | "dry-run" | "refused";

export interface ApplyResult {
  outcome: ApplyOutcome;
  stateBefore: InstallState;
  recovery?: RecoveryReport;
  plan?: Plan;
  match?: Pick<MatchReport, "scannedFiles" | "prefilteredFiles" | "results">;
  changedFiles: string[];
  diagnostics: Diagnostic[];
  /**
   * After an upgrade that left the old release's patched files in place: those files. They are not
   * the release's code, so the sites are looked for without them, and apply puts their original
   * bytes back (when their backups are there) in the same transaction.
   */
  leftByRelease: string[];
}

/** Apply as one transaction; see transaction.ts for the crash guarantees. Caller holds the lock. */
export async function applyPatches(install: InstallHandle, options: ApplyOptions): Promise<ApplyResult> {
  await assertPlainPackage(install.realRoot);
  const target = { root: install.realRoot, installDir: install.installDir, objects: install.objects, retryCommand: options.retryCommand };
  const recovery = options.dryRun ? undefined : await recoverInterrupted(target);
  let manifest = await readManifest(install.installDir, install.realRoot);
  const inspected = await inspectFiles(install, manifest, true);
  const base = { stateBefore: inspected.state, leftByRelease: inspected.leftByRelease, ...(recovery ? { recovery } : {}) };

  // The old record stays until the transaction replaces it (kept as manifest.json.prev): a run
  // refused or killed before then leaves the install reported as upgraded, not as unrecorded.
  const leftBehind = inspected.state === "upgraded" && manifest ? manifest.files.filter((f) => inspected.leftByRelease.includes(f.path)) : [];
  // The runtime the old release's patch added is still ours when it is still there as we wrote it;
  // the new record must name it, or revert would leave it behind.
  const runtimeLeft = inspected.state === "upgraded" ? manifest?.files.find((f) => f.path === RUNTIME_FILE && inspected.files.some((x) => x.path === f.path && x.state === "patched")) : undefined;
  if (inspected.state === "upgraded") manifest = undefined;
  if (manifest && inspected.state === "changed" && !options.force) {
    const changed = inspected.files.filter((f) => f.state === "changed").map((f) => f.path);
    throw new OcpError(
      diagnostic("OCP_TARGET_CHANGED", `${changed.length} patched file(s) were changed by someone else since openclaw-patch wrote them: ${changed.join(", ")}`, "run `openclaw-patch apply --force` to restore the originals and patch again, or reinstall this OpenClaw release", { files: changed }),
    );
  }
  if (manifest && inspected.state === "patched" && sameRecipe(manifest, { toolVersion: options.toolVersion, patchIds: options.patches.map((p) => p.id), config: options.config })) {
    if (!inspected.fromStatOnly && !options.dryRun) await refreshStats(install, manifest);
    return { ...base, outcome: "unchanged", changedFiles: [], diagnostics: [] };
  }

  // Patch from the originals, never on top of our own output: apply is a function of (original, patch set).
  const originals = new Map<string, Buffer>();
  const recorded = new Map<string, ManifestFile>();
  if (manifest && inspected.state !== "stock") {
    for (const f of manifest.files) {
      recorded.set(f.path, f);
      if (f.before) originals.set(f.path, await install.objects.get(f.before.sha256, f.path));
    }
  }
  if (runtimeLeft) recorded.set(RUNTIME_FILE, runtimeLeft);
  for (const f of leftBehind) {
    // Recorded files the plan does not touch go back to their originals (buildChanges).
    const original = f.before ? await install.objects.get(f.before.sha256, f.path).catch(() => undefined) : undefined;
    if (original === undefined) continue;
    recorded.set(f.path, f);
    originals.set(f.path, original);
  }

  const report = await matchSites(install.realRoot, install.release, options.sites, originals, new Set(inspected.leftByRelease));
  const diagnostics = [...report.diagnostics.filter((d) => d.severity !== "error"), ...contractDiagnostics(report.results)];
  const match = { scannedFiles: report.scannedFiles, prefilteredFiles: report.prefilteredFiles, results: report.results };
  if (diagnostics.some((d) => d.severity === "error")) return { ...base, outcome: "refused", match, changedFiles: [], diagnostics };

  const plan = planPatches({ report, patches: options.patches, toolVersion: options.toolVersion, release: install.version, config: options.config });
  diagnostics.push(...plan.diagnostics);
  if (plan.diagnostics.length > 0) return { ...base, outcome: "refused", plan, match, changedFiles: [], diagnostics };
  if (options.dryRun) return { ...base, outcome: "dry-run", plan, match, changedFiles: plan.files.map((f) => f.path), diagnostics };

  const changes = await buildChanges(install, plan.files, recorded, originals, options.toolVersion);
  const record = manifestFor(install, options, plan, changes, recorded);
  // The transaction dates the files it writes in the record, so no state write follows the renames.
  await commitChanges(target, "apply", changes, record);
  return { ...base, outcome: manifest ? "reapplied" : "applied", plan, match, changedFiles: changes.map((c) => c.path), diagnostics };
}

async function buildChanges(
  install: InstallHandle,
  planned: readonly PlannedFile[],
  recorded: ReadonlyMap<string, ManifestFile>,
  originals: ReadonlyMap<string, Buffer>,
  toolVersion: string,
): Promise<FileChange[]> {
  const changes: FileChange[] = [];
  const read = (rel: string) => fs.readFile(path.join(install.realRoot, rel)).catch(() => null);
  for (const file of planned) {
    const current = await read(file.path);
    const meta = await readMeta(path.join(install.realRoot, file.path));
    changes.push({ path: file.path, from: current, to: file.after, meta });
  }
  const runtimeCurrent = await read(RUNTIME_FILE);
  if (runtimeCurrent && !recorded.has(RUNTIME_FILE) && !isOurRuntime(runtimeCurrent)) {
    throw new OcpError(diagnostic("OCP_RUNTIME_PATH_TAKEN", `${RUNTIME_FILE} already exists and was not written by openclaw-patch`, "this release ships a file of that name; update openclaw-patch", { file: RUNTIME_FILE }));
  }
  changes.push({ path: RUNTIME_FILE, from: runtimeCurrent, to: await readRuntimeAsset(toolVersion), meta: { mode: 0o644, ...(await ownerOf(install.realRoot)) } });
  // Files we patched before but this patch set no longer touches go back to their originals.
  for (const [rel, f] of recorded) {
    if (rel === RUNTIME_FILE || planned.some((p) => p.path === rel)) continue;
    const original = f.before ? originals.get(rel) ?? null : null;
    changes.push({ path: rel, from: await read(rel), to: original, meta: f.before ? { mode: f.before.mode, ...(await ownerOf(install.realRoot)) } : null });
  }
  return changes.filter((c) => !(c.from && c.to && c.from.equals(c.to)));
}

async function ownerOf(root: string): Promise<{ uid: number; gid: number }> {
  const st = await fs.stat(path.join(root, "package.json"));
  return { uid: st.uid, gid: st.gid };
}

function manifestFor(install: InstallHandle, options: ApplyOptions, plan: Plan, changes: readonly FileChange[], recorded: ReadonlyMap<string, ManifestFile>): Manifest {
  const files: ManifestFile[] = [];
  for (const change of changes) {
    if (!change.to) continue;
    const previous = recorded.get(change.path);
    const before = previous ? previous.before : change.from ? { sha256: sha256(change.from), size: change.from.length, mode: change.meta?.mode ?? 0o644 } : null;
    const isRuntime = change.path === RUNTIME_FILE;
    const patches = isRuntime ? ["runtime"] : plan.files.find((f) => f.path === change.path)?.patches ?? [];
    if (!isRuntime && patches.length === 0) continue;
    files.push({ path: change.path, before: isRuntime ? null : before, after: { sha256: sha256(change.to), size: change.to.length, mode: change.meta?.mode ?? 0o644, mtimeMs: 0 }, patches });
  }
  // Files the plan left untouched because they already held the planned bytes stay recorded.
  for (const planned of plan.files) {
    if (files.some((f) => f.path === planned.path)) continue;
    const previous = recorded.get(planned.path);
    if (previous) files.push({ ...previous, patches: planned.patches });
  }
  const runtime = recorded.get(RUNTIME_FILE);
  if (runtime && !files.some((f) => f.path === RUNTIME_FILE)) files.push(runtime);
  return {
    schema: 1,
    toolVersion: options.toolVersion,
    root: install.realRoot,
    release: { version: install.version, source: install.versionSource },
    releaseStamp: install.stamp,
    appliedAt: new Date().toISOString(),
    config: options.config,
    patchSet: options.patches.map((p) => p.id),
    patches: plan.patches,
    fixes: plan.fixes,
    files: files.sort((a, b) => (a.path < b.path ? -1 : 1)),
  };
}

/** Records each file's size and mtime after writing, so the next no-change check needs no hashing. */
async function refreshStats(install: InstallHandle, manifest: Manifest): Promise<void> {
  for (const f of manifest.files) {
    const st = await fs.stat(path.join(install.realRoot, f.path)).catch(() => undefined);
    if (st) f.after = { ...f.after, size: st.size, mtimeMs: st.mtimeMs };
  }
  await writeManifest(install.installDir, manifest);
}
