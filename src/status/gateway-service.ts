import fs from "node:fs/promises";
import path from "node:path";
import { warning, type Diagnostic } from "../core/diagnostics.js";
import type { Host } from "../core/host.js";
import { hookLayout } from "../hook/layout.js";
import { readRecord } from "../hook/record.js";
import { parseGatewayCmd } from "../locate/service/gateway-cmd.js";
import { parseLaunchdPlist } from "../locate/service/launchd-plist.js";
import { parseSystemdExecStarts } from "../locate/service/systemd-unit.js";
import { serviceArgvFacts, type ServiceArgvFacts } from "./service-argv-facts.js";

export type GatewayServiceKind = "systemd" | "launchd" | "schtasks";

/** The service definition that starts this install's gateway, and what its command line says. */
export interface GatewayService extends ServiceArgvFacts {
  kind: GatewayServiceKind;
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

const KINDS: readonly GatewayServiceKind[] = ["systemd", "launchd", "schtasks"];

/**
 * Auto-detection already names the service it found the install through; with --dir it does not
 * run, so the hook's record (which names the service it hooked) is the other source. Never throws.
 */
export async function findGatewayService(input: ServiceLookupInput): Promise<GatewayServiceLookup> {
  const diagnostics: Diagnostic[] = [];
  const candidates: { kind: GatewayServiceKind; file: string; foundBy: GatewayService["foundBy"] }[] = [];
  for (const sighting of input.foundBy) {
    const colon = sighting.indexOf(":");
    const kind = sighting.slice(0, colon) as GatewayServiceKind;
    if (colon > 0 && KINDS.includes(kind)) candidates.push({ kind, file: sighting.slice(colon + 1), foundBy: "locate" });
  }
  const hooked = await hookedService(input, diagnostics);
  if (hooked) candidates.push({ ...hooked, foundBy: "hook-record" });

  for (const candidate of candidates) {
    const commands = await readServiceCommands(candidate.kind, candidate.file, input);
    if (commands === undefined) {
      diagnostics.push(warning("OCP_SERVICE_UNREADABLE", `Could not read the gateway service definition ${candidate.file}.`, "Pass --port (and --node) explicitly.", { file: candidate.file }));
      continue;
    }
    return { service: { ...candidate, commands, ...serviceArgvFacts(commands) }, diagnostics };
  }
  return { diagnostics };
}

async function hookedService(input: ServiceLookupInput, diagnostics: Diagnostic[]): Promise<{ kind: GatewayServiceKind; file: string } | undefined> {
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

async function readServiceCommands(kind: GatewayServiceKind, file: string, input: ServiceLookupInput): Promise<string[][] | undefined> {
  const text = await fs.readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  switch (kind) {
    case "systemd":
      return parseSystemdExecStarts([text, ...(await systemdDropIns(file))], input.homedir).commands;
    case "launchd": {
      const plist = parseLaunchdPlist(text);
      return plist.ok ? [plist.programArguments] : undefined;
    }
    case "schtasks":
      return parseGatewayCmd(text, path.win32.dirname(file), input.env).commands;
  }
}

/** Drop-ins apply in file-name order, and one may replace ExecStart= (the hook's own does not). */
async function systemdDropIns(unitFile: string): Promise<string[]> {
  const dir = `${unitFile}.d`;
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith(".conf")).sort();
  const texts = await Promise.all(names.map((name) => fs.readFile(path.join(dir, name), "utf8").catch(() => undefined)));
  return texts.filter((text): text is string => text !== undefined);
}
