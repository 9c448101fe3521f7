import fs from "node:fs/promises";
import path from "node:path";
import { OcpError, diagnostic } from "./diagnostics.js";
import { readTextIfExists } from "./read-text.js";
import { TEMP_FILE_PATTERN } from "./fs-safe.js";
import { INSTALL_FILES } from "./state-layout.js";
import { isInsidePackage, writeJsonDurably, type Manifest } from "./manifest.js";

/**
 * How far a transaction got:
 *  preparing  – temp files are being written beside the targets; nothing in place has changed
 *  committing – temp files are being renamed over targets (or targets removed)
 *  renamed    – every target holds its new content; only the manifest is left to write
 * The journal is written once, before the package is touched (a second write could find the state
 * folder full with the package half renamed), so the next run reads the phase from the targets'
 * hashes: a run killed in preparing or committing is rolled back; one killed in renamed is completed
 * (the manifest it carries is put in place).
 */
export type JournalPhase = "preparing" | "committing" | "renamed";

export interface JournalStep {
  path: string;
  /** sha256 before the transaction; null when the file did not exist. */
  from: string | null;
  /** sha256 after; null when the transaction removes the file. */
  to: string | null;
  /** Temp file beside the target (relative to the root) holding the new content. */
  temp: string | null;
  /** Temp beside the target (relative to the root) a rollback restores the old content through. */
  undo?: string | null;
  mode: number | null;
}

export interface Journal {
  schema: 1;
  op: "apply" | "revert";
  root: string;
  pid: number;
  startedAt: string;
  phase: JournalPhase;
  steps: JournalStep[];
  /** Write probes (relative to the root) made before the temps, one per folder written. */
  probes?: string[];
  /** The manifest to write when the transaction completes; null removes it (revert). */
  manifestAfter: Manifest | null;
  /** A temp beside manifest.json holding manifestAfter, written before the package is touched. */
  manifestStaged?: string | null;
}

export const JOURNAL_FILE = INSTALL_FILES.journal;

export async function readJournal(installDir: string): Promise<Journal | undefined> {
  const file = path.join(installDir, JOURNAL_FILE);
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  let journal: Journal;
  try {
    journal = JSON.parse(text) as Journal;
  } catch {
    throw new OcpError(
      diagnostic("OCP_JOURNAL_CORRUPT", `the journal ${file} left by an interrupted run is unreadable`, "check the files it names by hand with `openclaw-patch verify`, then delete the journal; or reinstall OpenClaw and run `openclaw-patch revert --forget`", { journal: file }),
    );
  }
  if (journal.schema !== 1 || !Array.isArray(journal.steps)) {
    throw new OcpError(diagnostic("OCP_JOURNAL_CORRUPT", `the journal ${file} has an unknown format`, "delete it after checking the install with `openclaw-patch verify`", { journal: file }));
  }
  if (journal.manifestStaged != null && (typeof journal.manifestStaged !== "string" || !TEMP_FILE_PATTERN.test(journal.manifestStaged))) {
    throw new OcpError(diagnostic("OCP_JOURNAL_CORRUPT", `the journal ${file} names an odd staged record: ${JSON.stringify(journal.manifestStaged)}`, "delete it after checking the install with `openclaw-patch verify`", { journal: file }));
  }
  const unsafe = (p: unknown) => p != null && (typeof p !== "string" || !isInsidePackage(p));
  if (journal.probes !== undefined && (!Array.isArray(journal.probes) || journal.probes.some(unsafe))) {
    throw new OcpError(diagnostic("OCP_MANIFEST_UNSAFE", `the journal ${file} names a probe outside the package`, "it was not written by openclaw-patch; delete it and check the install with `openclaw-patch verify`", { journal: file }));
  }
  for (const step of journal.steps) {
    if (!isInsidePackage(step.path) || unsafe(step.temp) || unsafe(step.undo)) {
      throw new OcpError(
        diagnostic("OCP_MANIFEST_UNSAFE", `the journal ${file} names a path outside the package: ${JSON.stringify(step.path)}`, "it was not written by openclaw-patch; delete it and check the install with `openclaw-patch verify`", { journal: file, path: step.path }),
      );
    }
  }
  return journal;
}

export async function writeJournal(installDir: string, journal: Journal): Promise<void> {
  await fs.mkdir(installDir, { recursive: true });
  await writeJsonDurably(path.join(installDir, JOURNAL_FILE), journal);
}

export async function journalExists(installDir: string): Promise<boolean> {
  return fs.access(path.join(installDir, JOURNAL_FILE)).then(
    () => true,
    () => false,
  );
}

export async function removeJournal(installDir: string): Promise<void> {
  await fs.rm(path.join(installDir, JOURNAL_FILE), { force: true });
}
