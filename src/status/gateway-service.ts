import fs from "node:fs/promises";
import { warning, type Diagnostic } from "../core/diagnostics.js";
import type { Host } from "../core/host.js";
import { hookLayout } from "../core/state-layout.js";
import { readRecord } from "../hook/record.js";
import { currentPackageEnv } from "../locate/env.js";
import type { ServiceKind } from "../locate/service/gateway-services.js";
import { readServiceCommands } from "../locate/service/service-commands.js";
import { serviceArgvFacts, type ServiceArgvFacts } from "./service-argv-facts.js";

/** The service definition that starts this install's gateway, and what its command line says. */
export interface GatewayService extends ServiceArgvFacts {
  kind: ServiceKind;
  file: string;
  /** How it was found: auto-detection (`foundBy`) or the re-patch hook's record. */
  foundBy: "locate" | "hook-record";
  commands: string[][];
}

export interface GatewayServiceLookup {
  service?: GatewayService;
  diagnostics: Diagnostic[];
}

export interface ServiceLookupInput extends Pick<Host, "env" | "homedir"> {
  realRoot: string;
  stateDir: string;
  /** The install's `foundBy` sightings, e.g. "systemd:/home/op/.config/systemd/user/openclaw-gateway.service". */
  foundBy: readonly string[];
}

const KINDS: readonly ServiceKind[] = ["systemd", "launchd", "schtasks"];

/**
 * Auto-detection already names the service it found the install through; with --dir it does not
 * run, so the hook's record (which names the service it hooked) is the other source. Never throws.
 */
export async function findGatewayService(input: ServiceLookupInput): Promise<GatewayServiceLookup> {
  const diagnostics: Diagnostic[] = [];
  const candidates: { kind: ServiceKind; file: string; foundBy: GatewayService["foundBy"] }[] = [];
  for (const sighting of input.foundBy) {
    const colon = sighting.indexOf(":");
    const kind = sighting.slice(0, colon) as ServiceKind;
    if (colon > 0 && KINDS.includes(kind)) candidates.push({ kind, file: sighting.slice(colon + 1), foundBy: "locate" });
  }
  const hooked = await hookedService(input, diagnostics);
  if (hooked) candidates.push({ ...hooked, foundBy: "hook-record" });

  for (const candidate of candidates) {
    const read = await readServiceCommands({ kind: candidate.kind, path: candidate.file }, { ...currentPackageEnv(), env: input.env, homedir: input.homedir });
    if (!read.ok) {
      diagnostics.push(warning("OCP_SERVICE_UNREADABLE", `Could not read the gateway service definition ${candidate.file}.`, "Pass --port (and --node) explicitly.", { file: candidate.file }));
      continue;
    }
    return { service: { ...candidate, commands: read.commands, ...serviceArgvFacts(read.commands, candidate.kind === "schtasks" ? "win32" : "linux") }, diagnostics };
  }
  return { diagnostics };
}

async function hookedService(input: ServiceLookupInput, diagnostics: Diagnostic[]): Promise<{ kind: ServiceKind; file: string } | undefined> {
  try {
    const record = await readRecord(hookLayout(input.stateDir));
    if (!record?.service) return undefined;
    const hookedRoot = await fs.realpath(record.target.packageRoot).catch(() => record.target.packageRoot);
    return hookedRoot === input.realRoot ? { kind: record.service.kind, file: record.service.path } : undefined;
  } catch (error) {
    const message = (error as { diagnostic?: Diagnostic }).diagnostic?.message ?? String(error);
    diagnostics.push(warning("OCP_HOOK_RECORD_UNREADABLE", `The re-patch hook's record could not be read (${message}); its service was not used.`, "Run `openclaw-patch hook status` to see what is wrong with it."));
    return undefined;
  }
}
