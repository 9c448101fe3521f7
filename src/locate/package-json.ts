import type { LocateFs } from "./env.js";
import { stripBom } from "./fs-probe.js";

export const OPENCLAW_PACKAGE_NAME = "openclaw";

export type PackageJsonRead =
  | { kind: "missing" }
  | { kind: "invalid"; reason: string }
  | { kind: "package"; name: string | undefined; version: string | undefined };

export async function readPackageJson(fs: LocateFs, file: string): Promise<PackageJsonRead> {
  let text: string;
  try {
    text = await fs.readFile(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // A directory named package.json or an unreadable file is still "something is wrong here", not absence.
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing" };
    return { kind: "invalid", reason: `cannot be read (${String(code ?? error)})` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripBom(text));
  } catch (error) {
    return { kind: "invalid", reason: `is not valid JSON (${(error as Error).message})` };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { kind: "invalid", reason: "is not a JSON object" };
  }
  const record = parsed as Record<string, unknown>;
  return {
    kind: "package",
    name: typeof record.name === "string" ? record.name : undefined,
    version: typeof record.version === "string" ? record.version : undefined,
  };
}

export function isOpenClawPackage(read: PackageJsonRead): boolean {
  return read.kind === "package" && read.name === OPENCLAW_PACKAGE_NAME;
}
