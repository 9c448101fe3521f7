import fs from "node:fs/promises";
import path from "node:path";
import { compareReleases, parseRelease } from "../core/release.js";

/**
 * First release checked to support OPENCLAW_WRAPPER / `gateway install --wrapper`: present in
 * 2026.4.26 (docs/cli/gateway.md "Install with a wrapper", dist program-args), absent in 2026.4.5.
 * Releases between the two were not available to check, so they are treated as unsupported.
 */
export const WRAPPER_SINCE = "2026.4.26";

/** The installed release's version from its package.json, or null when unreadable. */
export async function readOpenClawVersion(packageRoot: string): Promise<string | null> {
  try {
    const parsed = JSON.parse(await fs.readFile(path.join(packageRoot, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
    return typeof parsed.version === "string" ? parsed.version : null;
  } catch {
    return null;
  }
}

export function supportsWrapper(version: string | null): boolean {
  const parsed = version === null ? undefined : parseRelease(version);
  const since = parseRelease(WRAPPER_SINCE);
  if (parsed === undefined || since === undefined) return false;
  return compareReleases(parsed, since) >= 0;
}
