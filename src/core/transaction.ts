import fs from "node:fs/promises";
import path from "node:path";
import { OcpError, diagnostic } from "./diagnostics.js";
import { failpoint } from "./failpoint.js";
import { permissionError, renameWithRetry, tempPathFor, writeTempBeside, type FileMeta } from "./fs-safe.js";
import { sha256 } from "./hash.js";
import { readJournal, removeJournal, writeJournal, type Journal, type JournalStep } from "./journal.js";
import { MANIFEST_FILE, installManifest, manifestText, removeManifest, writeManifest, type Manifest } from "./manifest.js";
import type { ObjectStore } from "./objects.js";
import { escapingPaths } from "./real-path.js";
import { objectFolders, sweepStrays } from "./strays.js";

export interface FileChange {
  path: string;
  /** Current content; null when the file does not exist yet. */
  from: Buffer | null;
  /** New content; null to remove the file. */
  to: Buffer | null;
  meta: FileMeta | null;
}

export interface TransactionTarget {
  root: string;
  installDir: string;
  objects: ObjectStore;
  /** The command an operator would re-run with more rights, for permission errors. */
  retryCommand: string;
}

/**
 * Changes several files as one unit. Everything the state folder must hold (the backups, the journal,
 * the next record) is written before the first byte in the package, so a state folder that fills up
 * or a run killed there leaves the package as it was. Then every new content is written beside its
 * target, and renames happen only after all of that succeeded. The journal lets the next run roll
 * back (or complete) a run that was killed at any point; which of the two is read from the files.
 */
export async function commitChanges(target: TransactionTarget, op: Journal["op"], changes: readonly FileChange[], manifestAfter: Manifest | null): Promise<void> {
  const { root, installDir, objects } = target;
  const escaping = await escapingPaths(root, changes.map((c) => c.path));
  if (escaping.length > 0) {
    throw new OcpError(
      diagnostic("OCP_MANIFEST_UNSAFE", `${escaping.length} path(s) to write lead out of the package through a symbolic link: ${escaping.join(", ")}`, "openclaw-patch never writes outside the package and its state folder; remove the links (or reinstall OpenClaw), then run again", { root, paths: escaping }),
    );
  }
  for (const change of changes) if (change.from) await objects.put(change.from);

  // Every file this run may create in the package is named here before the first is made: the temps
  // with the new contents, the write probes, and the temps a rollback would restore through. The next
  // run removes whichever of them a kill left behind.
  const besideInRoot = (rel: string) => toPosix(path.relative(root, tempPathFor(path.join(root, rel))));
  const steps: JournalStep[] = changes.map((c) => ({
    path: c.path,
    from: c.from ? sha256(c.from) : null,
    to: c.to ? sha256(c.to) : null,
    temp: c.to ? besideInRoot(c.path) : null,
    undo: c.from ? besideInRoot(c.path) : null,
    mode: c.meta?.mode ?? null,
  }));
  const probes = [...new Set(changes.map((c) => path.posix.dirname(c.path)))].map((dir) => besideInRoot(path.posix.join(dir, "probe")));
  const writtenAt = stampTime();
  const record = manifestAfter ? datedRecord(manifestAfter, steps, writtenAt) : null;
  const manifestFile = path.join(installDir, MANIFEST_FILE);
  const staged = record ? tempPathFor(manifestFile) : null;
  const journal: Journal = { schema: 1, op, root, pid: process.pid, startedAt: new Date().toISOString(), phase: "preparing", steps, probes, manifestAfter: record, manifestStaged: staged && path.basename(staged) };
  await writeJournal(installDir, journal);
  try {
    if (record && staged) await writeTempBeside(manifestFile, manifestText(record), { mode: 0o600 }, staged);
  } catch (error) {
    await abandon(target, journal);
    throw error;
  }
  failpoint("after-journal");

  try {
    await preflightWritable(target, probes);
    for (const [i, change] of changes.entries()) {
      const step = steps[i]!;
      if (!change.to || !step.temp) continue;
      await writeTempBeside(path.join(root, change.path), change.to, { ...(change.meta ? { meta: change.meta } : {}), mtimeMs: writtenAt }, path.join(root, step.temp));
      failpoint("after-temp");
    }
  } catch (error) {
    await abandon(target, journal);
    throw permissionError(error, path.join(root, changes[0]?.path ?? ""), root, target.retryCommand) ?? error;
  }

  failpoint("before-rename");
  try {
    for (const step of steps) {
      const destination = path.join(root, step.path);
      if (step.temp) await renameWithRetry(path.join(root, step.temp), destination);
      else await fs.rm(destination, { force: true });
      failpoint("after-rename");
    }
  } catch (error) {
    await rollBack(target, journal);
    throw permissionError(error, root, root, target.retryCommand) ?? error;
  }

  failpoint("after-renames");
  await finishRecord(installDir, journal);
  await removeJournal(installDir);
}

/** Drops a transaction that changed no target: its temps, its staged record, its journal. */
async function abandon(target: TransactionTarget, journal: Journal): Promise<void> {
  await discardTemps(target.root, journal);
  await discardStaged(target.installDir, journal);
  await removeJournal(target.installDir);
}

/**
 * One modification time for every file a transaction writes, recorded in the record it writes, so the
 * next no-change check trusts a stat without writing to the state folder after the package changed.
 * Whole even seconds: FAT keeps no finer, and a file system that rounds it only costs a hash later.
 */
function stampTime(): number {
  return Math.floor(Date.now() / 2000) * 2000;
}

function datedRecord(manifest: Manifest, steps: readonly JournalStep[], mtimeMs: number): Manifest {
  const written = new Set(steps.filter((s) => s.to !== null).map((s) => s.path));
  return { ...manifest, files: manifest.files.map((f) => (written.has(f.path) ? { ...f, after: { ...f.after, mtimeMs } } : f)) };
}

async function finishRecord(installDir: string, journal: Journal): Promise<void> {
  const record = journal.manifestAfter;
  if (!record) {
    await removeManifest(installDir);
    return;
  }
  const staged = journal.manifestStaged ? path.join(installDir, journal.manifestStaged) : undefined;
  const stagedText = staged ? await fs.readFile(staged, "utf8").catch(() => undefined) : undefined;
  if (staged && stagedText === manifestText(record)) await installManifest(installDir, staged);
  else {
    await discardStaged(installDir, journal);
    await writeManifest(installDir, record);
  }
}

async function discardStaged(installDir: string, journal: Journal): Promise<void> {
  if (journal.manifestStaged) await fs.rm(path.join(installDir, journal.manifestStaged), { force: true });
}

export interface RecoveryReport {
  op: Journal["op"];
  /** How far the killed run got, read from the files: none, some or all of its renames done. */
  phase: Journal["phase"];
  outcome: "rolled-back" | "completed";
  restored: string[];
}

/** Settles a journal left by a killed run. Returns undefined when there was none. */
export async function recoverInterrupted(target: TransactionTarget): Promise<RecoveryReport | undefined> {
  const journal = await readJournal(target.installDir);
  await sweepStrays([target.root, path.join(target.root, "dist"), target.installDir, ...(await objectFolders(target.objects.dir))]);
  if (!journal) return undefined;
  if (path.resolve(journal.root) !== path.resolve(target.root)) {
    throw new OcpError(
      diagnostic("OCP_JOURNAL_CORRUPT", `the journal in ${target.installDir} belongs to ${journal.root}, not ${target.root}`, "delete the journal after checking both installs with `openclaw-patch verify`", { journalRoot: journal.root, root: target.root }),
    );
  }
  const named = [...journal.steps.flatMap((step) => [step.path, step.temp, step.undo]), ...(journal.probes ?? [])].filter((p): p is string => typeof p === "string");
  const escaping = await escapingPaths(target.root, named);
  if (escaping.length > 0) {
    throw new OcpError(
      diagnostic("OCP_JOURNAL_UNSAFE", `the journal in ${target.installDir} names ${escaping.length} path(s) that lead out of the package through a symbolic link: ${escaping.join(", ")}`, "nothing was written; remove the links, check the install with `openclaw-patch verify`, then delete the journal (journal.json) or run again", { root: target.root, paths: escaping }),
    );
  }
  const states = await Promise.all(journal.steps.map((step) => stepState(target.root, step)));
  const renamed = states.filter((s) => s === "to").length;
  // Every target holds its new content: only the record was left to write, so complete the run.
  if (renamed === journal.steps.length) {
    await discardTemps(target.root, journal);
    await finishRecord(target.installDir, journal);
    await removeJournal(target.installDir);
    return { op: journal.op, phase: "renamed", outcome: "completed", restored: [] };
  }
  const restored = await rollBack(target, journal);
  return { op: journal.op, phase: renamed > 0 ? "committing" : "preparing", outcome: "rolled-back", restored };
}

async function stepState(root: string, step: JournalStep): Promise<"from" | "to" | "other"> {
  const current = await fs.readFile(path.join(root, step.path)).then(sha256, () => null);
  if (current === step.from) return "from";
  if (current === step.to) return "to";
  return "other";
}

/** Puts back the old content of every target the run already replaced; leaves alone what it did not. */
async function rollBack(target: TransactionTarget, journal: Journal): Promise<string[]> {
  const { root, objects } = target;
  const restored: string[] = [];
  const conflicts: string[] = [];
  for (const step of journal.steps) {
    const state = await stepState(root, step);
    if (state === "from") continue;
    if (state === "other") {
      conflicts.push(step.path);
      continue;
    }
    const file = path.join(root, step.path);
    if (step.from === null) await fs.rm(file, { force: true });
    else {
      const original = await objects.get(step.from, step.path);
      // Through the temp the journal named, so a kill here leaves a file the next run knows to remove.
      const undo = step.undo ? path.join(root, step.undo) : tempPathFor(file);
      await fs.rm(undo, { force: true });
      const temp = await writeTempBeside(file, original, step.mode === null ? {} : { meta: await metaOf(file, step.mode) }, undo);
      failpoint("rollback-temp");
      await renameWithRetry(temp, file);
    }
    restored.push(step.path);
  }
  await abandon(target, journal);
  if (conflicts.length > 0) {
    throw new OcpError(
      diagnostic("OCP_TARGET_CHANGED", `an interrupted ${journal.op} was rolled back, but ${conflicts.length} file(s) changed meanwhile: ${conflicts.join(", ")}`, "another program changed these files; reinstall this OpenClaw release to get pristine files, then apply again", { files: conflicts }),
    );
  }
  return restored;
}

async function metaOf(file: string, mode: number): Promise<FileMeta> {
  const st = await fs.stat(file).catch(() => undefined);
  return { mode, uid: st?.uid ?? 0, gid: st?.gid ?? 0 };
}

/** Removes every file the journal named in the package besides the targets themselves. */
async function discardTemps(root: string, journal: Journal): Promise<void> {
  const named = [...journal.steps.flatMap((step) => [step.temp, step.undo]), ...(journal.probes ?? [])];
  for (const rel of named) if (rel) await fs.rm(path.join(root, rel), { force: true });
}

/**
 * Checks up front that every folder to be written accepts a new file, so a read-only or root-owned
 * install fails before anything is written rather than halfway through. The probes' names are in the
 * journal already: a kill between creating and removing one leaves nothing the next run cannot find.
 */
async function preflightWritable(target: TransactionTarget, probes: readonly string[]): Promise<void> {
  for (const rel of probes) {
    const probe = path.join(target.root, rel);
    try {
      await (await fs.open(probe, "wx")).close();
      await fs.rm(probe, { force: true });
    } catch (error) {
      throw permissionError(error, path.dirname(probe), target.root, target.retryCommand) ?? error;
    }
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}
