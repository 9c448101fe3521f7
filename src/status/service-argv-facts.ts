import { asPort } from "./openclaw-config.js";

/** What a service's command lines say about the gateway they start. */
export interface ServiceArgvFacts {
  /** `--port N` or `--port=N` of the first command line that has one. */
  port?: number;
  /** The first absolute path to a Node binary among the arguments (a wrapper may come before it). */
  nodeBinary?: string;
}

const NODE_NAME = /^node(?:js)?(?:\d+(?:\.\d+)*)?(?:\.exe)?$/i;

export function serviceArgvFacts(commands: readonly (readonly string[])[]): ServiceArgvFacts {
  const facts: ServiceArgvFacts = {};
  for (const argv of commands) {
    if (facts.port === undefined) {
      const port = portArgument(argv);
      if (port !== undefined) facts.port = port;
    }
    if (facts.nodeBinary === undefined) {
      const node = argv.find((arg) => isAbsolute(arg) && NODE_NAME.test(baseName(arg)));
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

/** Service files of any platform may be read here (a Windows task script names C:\… paths). */
function isAbsolute(file: string): boolean {
  return file.startsWith("/") || /^[A-Za-z]:[\\/]/.test(file) || file.startsWith("\\\\");
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
