import fs from "node:fs/promises";
import { fail } from "../core/diagnostics.js";
import { ObjectStore } from "../core/objects.js";
import type { ServiceDefinition } from "../locate/service/gateway-services.js";
import type { ShownCommand } from "./commands.js";
import type { HookLayout } from "../core/state-layout.js";
import type { FileRole } from "./driver.js";
import { isHookMechanism, type HookMechanism } from "./driver.js";
import { readIfExists, writeKeepingMode } from "./files.js";
import type { RepatchTarget } from "./repatch.js";

export interface RecordedFile {
  path: string;
  role: FileRole;
  action: "created" | "modified";
  /** sha256 of the bytes the hook wrote. */
  sha256: string;
  /** Modified files only: the bytes before the hook, kept in originals/<sha256>. */
  original?: { sha256: string; size: number };
}

/**
 * Everything `hook uninstall` needs to put the machine back as it was, written before the first
 * file is touched, so that even an interrupted install can be undone.
 */
export interface HookRecord {
  schema: 1;
  mechanism: HookMechanism;
  reason: string;
  installedAt: string;
  openclawVersion: string | null;
  target: RepatchTarget;
  service: ServiceDefinition | null;
  files: RecordedFile[];
  /** Folders the hook created; removed on uninstall when empty. */
  createdDirs: string[];
  /** Commands uninstall runs before restoring files (unregister a wrapper) and after (reload). */
  uninstallCommands: { beforeFiles: ShownCommand[]; afterFiles: ShownCommand[] };
  /** The service-side commands install runs after writing the files. */
  activation: ShownCommand[];
  /** False when those commands were not run (`--no-activate`). */
  activated: boolean;
}

export async function readRecord(layout: HookLayout): Promise<HookRecord | undefined> {
  const raw = await readIfExists(layout.record);
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (!isRecord(parsed)) {
    fail("OCP_HOOK_RECORD_CORRUPT", `the hook record ${layout.record} is not valid`, "restore it from a backup, or remove it and undo the hook's changes by hand (see `hook status` of the previous run)", {
      record: layout.record,
    });
  }
  return parsed;
}

export async function writeRecord(layout: HookLayout, record: HookRecord): Promise<void> {
  await fs.mkdir(layout.dir, { recursive: true });
  await writeKeepingMode(layout.record, `${JSON.stringify(record, null, 2)}\n`, 0o600);
}

export async function deleteRecord(layout: HookLayout, record: HookRecord): Promise<void> {
  for (const file of record.files) {
    if (file.original !== undefined) await fs.rm(originalsStore(layout).pathOf(file.original.sha256), { force: true });
  }
  await fs.rm(layout.record, { force: true });
  await fs.rmdir(layout.originals).catch(() => undefined);
}

/** The bytes of every service file the hook changed, in the tool's one content-addressed store (flat, as always on disk). */
export function originalsStore(layout: HookLayout): ObjectStore {
  return new ObjectStore(layout.originals, "flat");
}

function isRecord(value: unknown): value is HookRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Partial<HookRecord>;
  return (
    r.schema === 1 &&
    typeof r.mechanism === "string" &&
    isHookMechanism(r.mechanism) &&
    Array.isArray(r.files) &&
    r.files.every((f) => typeof f?.path === "string" && typeof f.sha256 === "string" && (f.action === "created" || f.action === "modified")) &&
    Array.isArray(r.createdDirs) &&
    Array.isArray(r.activation) &&
    typeof r.uninstallCommands === "object" &&
    r.uninstallCommands !== null &&
    Array.isArray(r.uninstallCommands.beforeFiles) &&
    Array.isArray(r.uninstallCommands.afterFiles) &&
    typeof r.target === "object" &&
    r.target !== null
  );
}
