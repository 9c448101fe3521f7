import { nodeInServiceArguments } from "../locate/service/service-argv.js";
import { asPort } from "./openclaw-config.js";

/** What a service's command lines say about the gateway they start. */
export interface ServiceArgvFacts {
  /** `--port N` or `--port=N` of the first command line that has one. */
  port?: number;
  /** The Node binary the command line starts (a wrapper may come before it). */
  nodeBinary?: string;
}

/** `platform` gives the path rules of the service file: a Windows task script names C:\\… paths. */
export function serviceArgvFacts(commands: readonly (readonly string[])[], platform: NodeJS.Platform): ServiceArgvFacts {
  const facts: ServiceArgvFacts = {};
  for (const argv of commands) {
    if (facts.port === undefined) {
      const port = portArgument(argv);
      if (port !== undefined) facts.port = port;
    }
    if (facts.nodeBinary === undefined) {
      const node = nodeInServiceArguments(argv, platform);
      if (node !== undefined) facts.nodeBinary = node;
    }
  }
  return facts;
}

function portArgument(argv: readonly string[]): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--port") return asPort(argv[i + 1]);
    if (arg.startsWith("--port=")) return asPort(arg.slice("--port=".length));
  }
  return undefined;
}
