import path from "node:path";
import { tryReadFile, tryReaddir } from "../fs-probe.js";
import { parseGatewayCmd } from "./gateway-cmd.js";
import type { ServiceDefinition, ServiceHost } from "./gateway-services.js";
import { parseLaunchdPlist } from "./launchd-plist.js";
import { parseSystemdExecStarts } from "./systemd-unit.js";

/** Reading needs the files, and the home and environment the definitions' variables refer to. */
export type ServiceReader = Pick<ServiceHost, "fs" | "path" | "homedir" | "env">;

export type ServiceCommands =
  | {
      ok: true;
      /** Candidate command lines, each split into arguments, most authoritative first. */
      commands: string[][];
      /** launchd only: the Label inside the plist. */
      label?: string;
    }
  | { ok: false; reason: string };

/**
 * What a service definition starts, read the one way locate, the hook and status share: a systemd
 * unit with its drop-ins (one may replace ExecStart=), a LaunchAgent's ProgramArguments, the
 * command lines of gateway.cmd.
 */
export async function readServiceCommands(service: Pick<ServiceDefinition, "kind" | "path">, host: ServiceReader): Promise<ServiceCommands> {
  const text = await tryReadFile(host.fs, service.path);
  if (text === null) return { ok: false, reason: "cannot be read" };
  switch (service.kind) {
    case "systemd":
      return { ok: true, commands: parseSystemdExecStarts([text, ...(await readDropIns(service.path, host))], host.homedir).commands };
    case "launchd": {
      const plist = parseLaunchdPlist(text);
      if (!plist.ok) return plist;
      return { ok: true, commands: [plist.programArguments], ...(plist.label === undefined ? {} : { label: plist.label }) };
    }
    case "schtasks":
      // gateway.cmd is a Windows file whatever the host: its folder is what %~dp0 stands for.
      return { ok: true, commands: parseGatewayCmd(text, path.win32.dirname(service.path), host.env).commands };
  }
}

/** Drop-ins apply in file-name order. */
async function readDropIns(unitFile: string, host: ServiceReader): Promise<string[]> {
  const dir = `${unitFile}.d`;
  const names = (await tryReaddir(host.fs, dir)).filter((name) => name.endsWith(".conf")).sort();
  const texts = await Promise.all(names.map((name) => tryReadFile(host.fs, host.path.join(dir, name))));
  return texts.filter((text): text is string => text !== null);
}
