import { warning, type Diagnostic } from "../../core/diagnostics.js";
import { LOCATE_CODES } from "../codes.js";
import type { LocateEnv } from "../env.js";
import { foundBy, type ProbeResult, type ServiceRef } from "../finding.js";
import { resolveServiceArgv } from "./service-argv.js";

/**
 * Turns a parsed service definition into findings. `commands` are the candidate command lines,
 * most authoritative first; the first one that leads to an OpenClaw package wins.
 */
export async function findingsForService(service: ServiceRef, commands: readonly string[][], env: LocateEnv): Promise<ProbeResult> {
  const missing: string[] = [];
  for (const argv of commands) {
    const resolution = await resolveServiceArgv(argv, env);
    if (resolution.roots.length > 0) {
      const findings = resolution.roots.map((root) => ({ root, foundBy: foundBy(service.kind, service.file), service }));
      return { findings, diagnostics: [] };
    }
    missing.push(...resolution.missingEntries);
  }
  return { findings: [], diagnostics: [unresolvedServiceDiagnostic(service, commands, missing)] };
}

export function unreadableServiceDiagnostic(service: ServiceRef, reason: string): Diagnostic {
  return warning(
    LOCATE_CODES.serviceUnreadable,
    `The ${service.kind} service definition ${service.file} ${reason}.`,
    "Check the file, or pass --dir with the OpenClaw package folder the gateway runs.",
    { service },
  );
}

function unresolvedServiceDiagnostic(service: ServiceRef, commands: readonly string[][], missing: string[]): Diagnostic {
  if (missing.length > 0) {
    return warning(
      LOCATE_CODES.serviceTargetMissing,
      `The ${service.kind} service ${service.file} starts ${missing[0]}, which is not in an OpenClaw package (removed or moved?).`,
      "Reinstall the service with `openclaw gateway install --force` from the current install, or remove the stale definition.",
      { service, entries: [...new Set(missing)] },
    );
  }
  return warning(
    LOCATE_CODES.serviceNoEntry,
    `The ${service.kind} service ${service.file} does not name an OpenClaw entry file (dist/index.js, dist/entry.js or openclaw.mjs).`,
    "If this service runs OpenClaw through a custom launcher, pass --dir with the OpenClaw package folder.",
    { service, commands },
  );
}
