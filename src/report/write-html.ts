import path from "node:path";
import { fail } from "../core/diagnostics.js";
import { writeFileDurably } from "../core/fs-safe.js";

/** Replaces the file in one rename, so a reader never opens half a report; returns its absolute path. */
export async function writeReportHtml(file: string, html: string): Promise<string> {
  const target = path.resolve(file);
  try {
    await writeFileDurably(target, html);
  } catch (error) {
    fail("OCP_REPORT_UNWRITABLE", `cannot write ${target}: ${(error as Error).message}`, "give --html a file in a folder that exists and that this user may write", {
      path: target,
      errno: (error as NodeJS.ErrnoException).code,
    });
  }
  return target;
}
