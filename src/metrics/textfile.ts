import fs from "node:fs/promises";
import path from "node:path";
import { fail } from "../core/diagnostics.js";
import { writeFileDurably } from "../core/fs-safe.js";

/** node_exporter's textfile collector reads `*.prom` and runs as its own user: readable by all. */
const TEXTFILE_MODE = 0o644;
const MAX_NAME_CHARS = 100;

/** One file per install, so several gateways of one host share the folder: `openclaw-patch-<install>.prom`. */
export function textfileName(install: string): string {
  const slug = install.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "").slice(-MAX_NAME_CHARS);
  return `openclaw-patch-${slug === "" ? "gateway" : slug}.prom`;
}

/**
 * Replaces the install's file in the collector's folder in one rename, so the collector never reads
 * half a file (the temp beside it does not end in `.prom`). Returns the file's path.
 */
export async function writeMetricsTextfile(dir: string, install: string, text: string): Promise<string> {
  const target = path.join(path.resolve(dir), textfileName(install));
  const remedy = "give --textfile the folder node_exporter's --collector.textfile.directory reads, writable by this user";
  const stat = await fs.stat(path.dirname(target)).catch(() => undefined);
  if (stat === undefined || !stat.isDirectory()) fail("OCP_METRICS_TEXTFILE_UNWRITABLE", `the textfile folder ${path.dirname(target)} is not a folder`, remedy, { path: target });
  try {
    await writeFileDurably(target, text, { mode: TEXTFILE_MODE });
  } catch (error) {
    fail("OCP_METRICS_TEXTFILE_UNWRITABLE", `cannot write ${target}: ${(error as Error).message}`, remedy, { path: target, errno: (error as NodeJS.ErrnoException).code });
  }
  return target;
}
