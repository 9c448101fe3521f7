import { warning, type Diagnostic } from "../core/diagnostics.js";
import { LOCATE_CODES } from "./codes.js";
import type { LocateEnv } from "./env.js";
import { foundBy, type Finding, type ProbeResult } from "./finding.js";
import { isFile } from "./fs-probe.js";
import { resolveLauncher } from "./launcher.js";

const DEFAULT_PATHEXT = ".COM;.EXE;.BAT;.CMD";

/**
 * Every `openclaw` on PATH, in PATH order; the first is the one a shell runs, later ones are
 * shadowed installs that still deserve to be listed. One launcher per PATH folder: the .cmd,
 * .ps1 and sh shims npm writes side by side all point at the same package.
 */
export async function probePath(env: LocateEnv): Promise<ProbeResult> {
  const dirs = pathDirs(env);
  const perDir = await Promise.all(dirs.map((dir) => probeDir(dir, env)));
  return {
    findings: perDir.flatMap((r) => r.findings),
    diagnostics: perDir.flatMap((r) => r.diagnostics),
  };
}

function pathDirs(env: LocateEnv): string[] {
  const raw = env.platform === "win32" ? (env.env.PATH ?? env.env.Path ?? "") : (env.env.PATH ?? "");
  const separator = env.platform === "win32" ? ";" : ":";
  const dirs = raw
    .split(separator)
    .map((entry) => entry.trim().replace(/^"(.*)"$/, "$1"))
    // An empty entry means the current folder, which says nothing about where OpenClaw is installed.
    .filter((entry) => entry !== "" && env.path.isAbsolute(entry))
    .map((entry) => env.path.normalize(entry));
  const seen = new Set<string>();
  return dirs.filter((dir) => {
    const key = env.platform === "win32" ? dir.toLowerCase().replace(/\\$/, "") : dir.replace(/\/$/, "");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function launcherNames(env: LocateEnv): string[] {
  if (env.platform !== "win32") return ["openclaw"];
  const exts = (env.env.PATHEXT ?? DEFAULT_PATHEXT)
    .split(";")
    .map((ext) => ext.trim().toLowerCase())
    .filter((ext) => ext.startsWith("."));
  // PowerShell runs openclaw.ps1 and Git Bash the extensionless sh shim; both sit next to openclaw.cmd.
  return [...new Set([...exts, ".ps1", ""])].map((ext) => `openclaw${ext}`);
}

async function probeDir(dir: string, env: LocateEnv): Promise<{ findings: Finding[]; diagnostics: Diagnostic[] }> {
  const candidates = launcherNames(env).map((name) => env.path.join(dir, name));
  const present = (await Promise.all(candidates.map(async (file) => ((await isFile(env.fs, file)) ? file : null)))).filter(
    (file): file is string => file !== null,
  );
  const missingEntries: string[] = [];
  const readable: string[] = [];
  for (const file of present) {
    const resolved = await resolveLauncher(file, env);
    if (resolved.roots.length > 0) {
      return { findings: resolved.roots.map((root) => ({ root, foundBy: foundBy("path", file) })), diagnostics: [] };
    }
    missingEntries.push(...resolved.missingEntries);
    if (resolved.opaque !== true) readable.push(file);
  }
  // A binary launcher (bun's openclaw.exe, a Volta shim) cannot be judged; the install is usually
  // found by another probe, so staying quiet beats a false alarm.
  const first = readable[0];
  if (first === undefined) return { findings: [], diagnostics: [] };
  return {
    findings: [],
    diagnostics: [
      warning(
        LOCATE_CODES.shimUnrecognized,
        missingEntries.length > 0
          ? `${first} is on PATH but starts ${missingEntries[0]}, which is not in an OpenClaw package (removed or moved?).`
          : `${first} is on PATH but does not lead to an OpenClaw package.`,
        "If OpenClaw is installed elsewhere, pass --dir with its package folder; a stale launcher can be removed.",
        { file: first, candidates: present, entries: [...new Set(missingEntries)] },
      ),
    ],
  };
}
