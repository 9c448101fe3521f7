import { fail } from "../core/diagnostics.js";
import { LOCATE_CODES } from "./codes.js";
import { currentPackageEnv, type PackageEnv } from "./env.js";
import { isOpenClawPackage, readPackageJson, type PackageJsonRead } from "./package-json.js";

/** Deep enough for any real path; stops a pathological or looping fake fs from spinning. */
const MAX_ANCESTORS = 64;

/**
 * Prefix layouts accepted when --dir names the folder that holds the package rather than a folder
 * inside it: a node_modules folder's parent (`npm root -g`'s parent on Windows, a project) and an
 * npm prefix (`/usr/local`, `~/.nvm/versions/node/vX`, `~/.openclaw/tools/node-vX`).
 */
const CONTAINED_PACKAGE_PATHS: readonly (readonly string[])[] = [
  ["node_modules", "openclaw"],
  ["lib", "node_modules", "openclaw"],
];

/** The first package.json met on the way up that was not OpenClaw's, kept to explain the refusal. */
interface Sighting {
  file: string;
  read: PackageJsonRead;
}

/**
 * Finds the OpenClaw package for `--dir PATH`.
 * 1. PATH itself or its nearest ancestor whose package.json names "openclaw" (other packages on the
 *    way up are skipped: PATH may sit in a dependency nested inside OpenClaw's node_modules).
 * 2. Otherwise PATH/node_modules/openclaw or PATH/lib/node_modules/openclaw.
 * Returns the root as given (symlinks not resolved); throws OCP_NOT_OPENCLAW otherwise.
 * Reads only package.json files: no processes, so it is cheap enough for every gateway start.
 */
export async function resolvePackageRoot(dir: string, env: PackageEnv = currentPackageEnv()): Promise<string> {
  const { fs, path } = env;
  const start = path.resolve(dir);
  let startDir: string;
  try {
    startDir = (await fs.stat(start)).isDirectory() ? start : path.dirname(start);
  } catch {
    return fail(
      LOCATE_CODES.notOpenClaw,
      `${start} does not exist.`,
      "Pass --dir the OpenClaw package folder (its package.json names \"openclaw\"), e.g. \"$(npm root -g)/openclaw\".",
      { dir: start, reason: "missing" },
    );
  }

  const ancestor = await findOpenClawAncestor(startDir, env);
  if (typeof ancestor === "string") return ancestor;

  for (const segments of CONTAINED_PACKAGE_PATHS) {
    const candidate = path.join(startDir, ...segments);
    if (isOpenClawPackage(await readPackageJson(fs, path.join(candidate, "package.json")))) return candidate;
  }

  return refuse(start, ancestor);
}

/** Like resolvePackageRoot's first step, without throwing: the root at or above `dir`, or null. */
export async function findOpenClawRootAbove(dir: string, env: PackageEnv): Promise<string | null> {
  const found = await findOpenClawAncestor(dir, env);
  return typeof found === "string" ? found : null;
}

async function findOpenClawAncestor(startDir: string, { fs, path }: PackageEnv): Promise<string | Sighting | null> {
  let current = startDir;
  let firstSighting: Sighting | null = null;
  for (let depth = 0; depth < MAX_ANCESTORS; depth += 1) {
    const file = path.join(current, "package.json");
    const read = await readPackageJson(fs, file);
    if (isOpenClawPackage(read)) return current;
    if (read.kind !== "missing" && firstSighting === null) firstSighting = { file, read };
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return firstSighting;
}

function refuse(start: string, sighting: Sighting | null): never {
  const found = describeSighting(start, sighting);
  return fail(
    LOCATE_CODES.notOpenClaw,
    `${start} is not inside an OpenClaw package: ${found}.`,
    `Point --dir at the folder whose package.json names "openclaw" (found instead: ${found}), ` +
      `e.g. "$(npm root -g)/openclaw", or run without --dir to search the usual install locations.`,
    { dir: start, reason: sighting === null ? "no-package-json" : sighting.read.kind, packageJson: sighting?.file },
  );
}

function describeSighting(start: string, sighting: Sighting | null): string {
  if (sighting === null) return `no package.json above ${start}`;
  const { file, read } = sighting;
  if (read.kind === "invalid") return `${file} ${read.reason}`;
  if (read.kind === "package") {
    return read.name === undefined ? `${file} has no "name"` : `${file} names '${read.name}'`;
  }
  return `no package.json above ${start}`;
}
