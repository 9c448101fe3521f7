import path from "node:path";
import type { Host } from "../core/host.js";
import { isEntryPath, rootOfEntryPath } from "../locate/entry-path.js";
import type { ServiceDefinition } from "../locate/service/gateway-services.js";
import { readServiceCommands } from "../locate/service/service-commands.js";
import { nodeInServiceArguments } from "../locate/service/service-argv.js";
import { serviceHostOf } from "./services.js";

/** The command the service definition starts, as arguments; undefined when it cannot be read. */
export async function serviceProgramArguments(service: ServiceDefinition, host: Host): Promise<string[] | undefined> {
  const read = await readServiceCommands(service, serviceHostOf(host));
  return read.ok ? read.commands[0] : undefined;
}

/** The package root of the entry script (`…/dist/index.js`, `dist/entry.js`, `openclaw.mjs`) the service runs. */
export function packageRootInArguments(argv: readonly string[], platform: NodeJS.Platform): string | undefined {
  const p = platform === "win32" ? path.win32 : path.posix;
  const entry = argv.find((arg) => isEntryPath(arg, p));
  return entry === undefined ? undefined : rootOfEntryPath(entry, p);
}

/**
 * The OPENCLAW_WRAPPER a service starts through, read from its command line: the single program
 * before `gateway` once OpenClaw's own macOS env wrapper (`/bin/sh <label>-env-wrapper.sh <env>`,
 * 2026.9) and this hook's `/bin/sh -c <script>` prefix are set aside. 2026.9 keeps the service
 * environment in a separate file, so OPENCLAW_WRAPPER itself may not be in the definition.
 */
export function wrapperInArguments(argv: readonly string[], platform: NodeJS.Platform): string | undefined {
  const gatewayAt = argv.indexOf("gateway");
  if (gatewayAt <= 0) return undefined;
  let program = argv.slice(0, gatewayAt);
  if (program[0] === "/bin/sh" && program[1]?.endsWith("-env-wrapper.sh")) program = program.slice(3);
  if (program[0] === "/bin/sh" && program[1] === "-c") program = program.slice(3);
  const only = program.length === 1 ? program[0] : undefined;
  if (only === undefined || nodeInServiceArguments([only], platform) !== undefined || packageRootInArguments([only], platform) !== undefined) return undefined;
  return only;
}
