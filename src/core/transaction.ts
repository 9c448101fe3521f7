import fs from "node:fs/promises";
import path from "node:path";
import { OcpError, diagnostic } from "./diagnostics.js";
import { failpoint } from "./failpoint.js";
import { permissionError, renameWithRetry, tempPathFor, writeTempBeside, type FileMeta } from "./fs-safe.js";
import { sha256 } from "./hash.js";
import { readJournal, removeJournal, writeJournal, type Journal, type JournalStep } from "./journal.js";
import { removeManifest, writeManifest, type Manifest } from "./manifest.js";
import type { ObjectStore } from "./objects.js";

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
 * Changes several files as one unit: every old content is backed up, every new content is written
 * beside its target first, and renames happen only after all of that succeeded. The journal lets the
 * next run roll back (or complete) a run that was killed at any point.
 */
export async function commitChanges(target: TransactionTarget, op: Journal["op"], changes: readonly FileChange[], manifestAfter: Manifest | null): Promise<void> {
  const { root, installDir, objects } = target;
  for (const change of changes) if (change.from) await objects.put(change.from);
  await preflightWritable(target, changes);

  const steps: JournalStep[] = changes.map((c) => ({
    path: c.path,
    from: c.from ? sha256(c.from) : null,
    to: c.to ? sha256(c.to) : null,
    temp: c.to ? path.posix.relative(root.split(path.sep).join("/"), toPosix(tempPathFor(path.join(root, c.path)))) : null,
    mode: c.meta?.mode ?? null,
  }));
  const journal: Journal = { schema: 1, op, root, pid: process.pid, startedAt: new Date().toISOString(), phase: "preparing", steps, manifestAfter };
  await writeJournal(installDir, journal);
  failpoint("after-journal");

  try {
    for (const [i, change] of changes.entries()) {
      const step = steps[i]!;
      if (!change.to || !step.temp) continue;
      await writeTempBeside(path.join(root, change.path), change.to, change.meta ?? undefined, path.join(root, step.temp));
      failpoint("after-temp");
    }
  } catch (error) {
    await discardTemps(root, steps);
    await removeJournal(installDir);
    throw permissionError(error, path.join(root, changes[0]?.path ?? ""), root, target.retryCommand) ?? error;
  }

  await writeJournal(installDir, { ...journal, phase: "committing" });
  failpoint("before-rename");
  try {
    for (const step of steps) {
      const destination = path.join(root, step.path);
      if (step.temp) await renameWithRetry(path.join(root, step.temp), destination);
      else await fs.rm(destination, { force: true });
      failpoint("after-rename");
    }
  } catch (error) {
    await rollBack(target, { ...journal, phase: "committing" });
    throw permissionError(error, root, root, target.retryCommand) ?? error;
  }

  await writeJournal(installDir, { ...journal, phase: "renamed" });
  failpoint("after-renames");
  await finishRecord(installDir, manifestAfter);
  await removeJournal(installDir);
}

async function finishRecord(installDir: string, manifestAfter: Manifest | null): Promise<void> {
  if (manifestAfter) await writeManifest(installDir, manifestAfter);
  else await removeManifest(installDir);
}

export interface RecoveryReport {
  op: Journal["op"];
  phase: Journal["phase"];
  outcome: "rolled-back" | "completed";
  restored: string[];
}

/** Settles a journal left by a killed run. Returns undefined when there was none. */
export async function recoverInterrupted(target: TransactionTarget): Promise<RecoveryReport | undefined> {
  const journal = await readJournal(target.installDir);
  if (!journal) return undefined;
  if (path.resolve(journal.root) !== path.resolve(target.root)) {
    throw new OcpError(
      diagnostic("OCP_JOURNAL_CORRUPT", `the journal in ${target.installDir} belongs to ${journal.root}, not ${target.root}`, "delete the journal after checking both installs with `openclaw-patch verify`", { journalRoot: journal.root, root: target.root }),
    );
  }
  if (journal.phase === "renamed") {
    await discardTemps(target.root, journal.steps);
    await finishRecord(target.installDir, journal.manifestAfter);
    await removeJournal(target.installDir);
    return { op: journal.op, phase: journal.phase, outcome: "completed", restored: [] };
  }
  const restored = await rollBack(target, journal);
  return { op: journal.op, phase: journal.phase, outcome: "rolled-back", restored };
}

async function rollBack(target: TransactionTarget, journal: Journal): Promise<string[]> {
  const { root, objects } = target;
  const restored: string[] = [];
  const conflicts: string[] = [];
  if (journal.phase === "committing") {
    for (const step of journal.steps) {
      const file = path.join(root, step.path);
      const current = await fs.readFile(file).then(sha256, () => null);
      if (current === step.from) continue;
      if (current !== step.to) {
        conflicts.push(step.path);
        continue;
      }
      if (step.from === null) await fs.rm(file, { force: true });
      else {
        const original = await objects.get(step.from, step.path);
        const temp = await writeTempBeside(file, original, step.mode === null ? undefined : await metaOf(file, step.mode));
        await renameWithRetry(temp, file);
      }
      restored.push(step.path);
    }
  }
  await discardTemps(root, journal.steps);
  await removeJournal(target.installDir);
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

async function discardTemps(root: string, steps: readonly JournalStep[]): Promise<void> {
  for (const step of steps) if (step.temp) await fs.rm(path.join(root, step.temp), { force: true });
}

/**
 * Checks up front that every folder to be written accepts a new file, so a read-only or root-owned
 * install fails before anything is written rather than halfway through.
 */
async function preflightWritable(target: TransactionTarget, changes: readonly FileChange[]): Promise<void> {
  const dirs = [...new Set(changes.map((c) => path.dirname(path.join(target.root, c.path))))];
  for (const dir of dirs) {
    const probe = tempPathFor(path.join(dir, "probe"));
    try {
      await (await fs.open(probe, "wx")).close();
      await fs.rm(probe, { force: true });
    } catch (error) {
      throw permissionError(error, dir, target.root, target.retryCommand) ?? error;
    }
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}
