import { warning, type Diagnostic } from "../core/diagnostics.js";
import { LOCATE_CODES } from "./codes.js";
import { currentPackageEnv, type PackageEnv } from "./env.js";
import { stripBom } from "./fs-probe.js";
import { readPackageJson } from "./package-json.js";

export type VersionSource = "build-info" | "package.json";

export interface Release {
  /** null only when neither dist/build-info.json nor package.json states a version. */
  version: string | null;
  versionSource: VersionSource | null;
  commit?: string;
  builtAt?: string;
  diagnostics: Diagnostic[];
}

interface BuildInfo {
  version: string;
  commit?: string;
  builtAt?: string;
}

/**
 * The release an install carries. dist/build-info.json is preferred: it is written by the build that
 * produced the dist/ files we patch, while package.json could in principle be edited separately.
 * One exception, seen on npm: a corrected republish such as 2026.3.23-2 ships a rebuilt dist/ whose
 * build-info still says 2026.3.23; the npm version is then the precise one (see isRepublishOf).
 * Damaged files become warnings, never exceptions.
 */
export async function readRelease(root: string, env: PackageEnv = currentPackageEnv()): Promise<Release> {
  const diagnostics: Diagnostic[] = [];
  const buildInfoFile = env.path.join(root, "dist", "build-info.json");
  const packageFile = env.path.join(root, "package.json");
  const [buildInfo, packageJson] = await Promise.all([
    readBuildInfo(env, buildInfoFile, diagnostics),
    readPackageJson(env.fs, packageFile),
  ]);

  let packageVersion: string | undefined;
  if (packageJson.kind === "package") {
    packageVersion = packageJson.version;
  } else if (packageJson.kind === "invalid") {
    diagnostics.push(
      warning(
        LOCATE_CODES.packageJsonInvalid,
        `${packageFile} ${packageJson.reason}.`,
        "Reinstall OpenClaw (e.g. npm i -g openclaw@<version>) so its package.json is intact.",
        { file: packageFile },
      ),
    );
  }

  if (buildInfo !== null) {
    if (packageVersion !== undefined && isRepublishOf(packageVersion, buildInfo.version)) {
      return { version: packageVersion, versionSource: "package.json", ...optionalFacts(buildInfo), diagnostics };
    }
    if (packageVersion !== undefined && packageVersion !== buildInfo.version) {
      diagnostics.push(
        warning(
          LOCATE_CODES.versionMismatch,
          `${root}: dist/build-info.json says ${buildInfo.version} but package.json says ${packageVersion}.`,
          "The install looks half-upgraded; rerun the upgrade (openclaw update, or npm i -g openclaw@<version>).",
          { root, buildInfoVersion: buildInfo.version, packageVersion },
        ),
      );
    }
    return { version: buildInfo.version, versionSource: "build-info", ...optionalFacts(buildInfo), diagnostics };
  }
  if (packageVersion !== undefined) return { version: packageVersion, versionSource: "package.json", diagnostics };
  return { version: null, versionSource: null, diagnostics };
}

async function readBuildInfo(env: PackageEnv, file: string, diagnostics: Diagnostic[]): Promise<BuildInfo | null> {
  let text: string;
  try {
    text = await env.fs.readFile(file);
  } catch {
    // Missing build-info is normal for git checkouts and very old builds; package.json answers instead.
    return null;
  }
  const invalid = (reason: string): null => {
    diagnostics.push(
      warning(
        LOCATE_CODES.buildInfoInvalid,
        `${file} ${reason}; using package.json for the version.`,
        "Reinstall OpenClaw if dist/ was damaged; otherwise this is harmless.",
        { file },
      ),
    );
    return null;
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripBom(text));
  } catch (error) {
    return invalid(`is not valid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object") return invalid("is not a JSON object");
  const record = parsed as Record<string, unknown>;
  if (typeof record.version !== "string" || record.version.trim() === "") return invalid("has no \"version\"");
  return {
    version: record.version.trim(),
    ...(typeof record.commit === "string" ? { commit: record.commit } : {}),
    ...(typeof record.builtAt === "string" ? { builtAt: record.builtAt } : {}),
  };
}

/** "2026.3.23-2" republishes "2026.3.23": same base version plus a "-N" correction suffix. */
function isRepublishOf(packageVersion: string, buildVersion: string): boolean {
  return packageVersion.startsWith(`${buildVersion}-`);
}

function optionalFacts(info: BuildInfo): { commit?: string; builtAt?: string } {
  return {
    ...(info.commit !== undefined ? { commit: info.commit } : {}),
    ...(info.builtAt !== undefined ? { builtAt: info.builtAt } : {}),
  };
}
