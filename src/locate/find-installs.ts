import { diagnostic, type Diagnostic } from "../core/diagnostics.js";
import { LOCATE_CODES } from "./codes.js";
import { currentLocateEnv, type LocateEnv } from "./env.js";
import type { Finding, ProbeResult } from "./finding.js";
import { tryRealpath } from "./fs-probe.js";
import type { Install, LocateResult } from "./located-install.js";
import { probePath } from "./probe-path.js";
import { probeAppDataNpm, probeBunGlobal, probeInstallerTools, probePackageManagerRoot } from "./probe-global-dirs.js";
import { readRelease } from "./release.js";
import { probeServices } from "./service/probe-services.js";

/**
 * Auto-detection. Probes run concurrently; their findings are merged in this fixed order so the
 * result is stable: PATH, npm root -g, pnpm root -g, bun, the installer's private Node, %APPDATA%\npm,
 * then the gateway service definition. Several installs are all returned; choosing is the caller's job.
 */
export async function findInstalls(env: LocateEnv = currentLocateEnv()): Promise<LocateResult> {
  const probes: Promise<ProbeResult>[] = [
    probePath(env),
    probePackageManagerRoot(env, "npm"),
    probePackageManagerRoot(env, "pnpm"),
    probeBunGlobal(env),
    probeInstallerTools(env),
    probeAppDataNpm(env),
    probeServices(env),
  ];
  const results = await Promise.all(probes);
  const diagnostics = results.flatMap((r) => r.diagnostics);
  const merged = await mergeFindings(results.flatMap((r) => r.findings), env);

  const described = await Promise.all(
    merged.map(async (partial) => {
      const { diagnostics: releaseDiagnostics, ...release } = await readRelease(partial.root, env);
      const install: Install = { root: partial.root, realRoot: partial.realRoot, ...release, foundBy: partial.foundBy, ...serviceOf(partial) };
      return { install, releaseDiagnostics };
    }),
  );
  const installs = described.map(({ install }) => install);
  diagnostics.push(...described.flatMap(({ releaseDiagnostics }) => releaseDiagnostics));
  if (installs.length === 0) diagnostics.push(noInstallDiagnostic(env));
  return { installs, diagnostics };
}

interface MergedInstall {
  root: string;
  realRoot: string;
  foundBy: string[];
  service?: Finding["service"];
}

async function mergeFindings(findings: Finding[], env: LocateEnv): Promise<MergedInstall[]> {
  const realRoots = await Promise.all(findings.map(async (f) => (await tryRealpath(env.fs, f.root)) ?? f.root));
  const byKey = new Map<string, MergedInstall>();
  findings.forEach((finding, index) => {
    const realRoot = realRoots[index] ?? finding.root;
    // Windows paths differ in case only when they name the same folder.
    const key = env.platform === "win32" ? realRoot.toLowerCase() : realRoot;
    const existing = byKey.get(key);
    if (existing === undefined) {
      byKey.set(key, { root: finding.root, realRoot, foundBy: [finding.foundBy], ...serviceOf(finding) });
      return;
    }
    if (!existing.foundBy.includes(finding.foundBy)) existing.foundBy.push(finding.foundBy);
    if (existing.service === undefined && finding.service !== undefined) existing.service = finding.service;
  });
  return [...byKey.values()];
}

function serviceOf(item: { service?: Finding["service"] }): { service?: NonNullable<Finding["service"]> } {
  return item.service === undefined ? {} : { service: item.service };
}

function noInstallDiagnostic(env: LocateEnv): Diagnostic {
  return diagnostic(
    LOCATE_CODES.noInstall,
    "No OpenClaw install was found on PATH, in the npm/pnpm/bun global folders, or in a gateway service definition.",
    env.platform === "win32"
      ? "Pass --dir with the OpenClaw package folder (e.g. %APPDATA%\\npm\\node_modules\\openclaw), or install OpenClaw with `npm i -g openclaw`."
      : "Pass --dir with the OpenClaw package folder (e.g. \"$(npm root -g)/openclaw\"), or install OpenClaw with `npm i -g openclaw`.",
    { searched: ["path", "npm-root", "pnpm-root", "bun-global", "openclaw-tools", ...(env.platform === "win32" ? ["appdata-npm"] : []), "service"] },
    "info",
  );
}
