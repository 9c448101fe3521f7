import type { AttachOptions, FixSelection, RuntimeConfig, ServerKind } from "./contract.js";
import { resolveRuntimeConfig } from "./config.js";
import { readProperty } from "./ws-shapes.js";

export interface ResolvedAttach {
  toolVersion: string;
  release: string;
  chunk: string;
  patches: string[];
  fixes: FixSelection;
  config: RuntimeConfig;
}

const FIX_NAMES: (keyof FixSelection)[] = [
  "heartbeat",
  "enforceReleasePing",
  "closeGrace",
  "tcpKeepAlive",
  "boundedShutdown",
  "httpTimeouts",
];

/** Bound on identity strings kept for traces; a chunk path longer than this is not a path. */
const MAX_LABEL_CHARS = 200;
const MAX_PATCH_IDS = 100;

function label(value: unknown): string {
  return typeof value === "string" ? value.slice(0, MAX_LABEL_CHARS) : "";
}

/**
 * Options come from generated code, but a hand-edited or stale chunk may pass anything. A fix runs
 * only when it is explicitly `true`: doing less than asked is safe, guessing more is not.
 */
export function resolveAttachOptions(options: AttachOptions | unknown, env: NodeJS.ProcessEnv): ResolvedAttach {
  const fixesInput = readProperty(options, "fixes");
  const fixes = Object.fromEntries(FIX_NAMES.map((name) => [name, readProperty(fixesInput, name) === true])) as unknown as FixSelection;
  const patches = readProperty(options, "patches");
  return {
    toolVersion: label(readProperty(options, "toolVersion")),
    release: label(readProperty(options, "release")),
    chunk: label(readProperty(options, "chunk")),
    patches: Array.isArray(patches) ? patches.slice(0, MAX_PATCH_IDS).map(label) : [],
    fixes,
    config: resolveRuntimeConfig(readProperty(options, "config"), env),
  };
}

export function serverKindOf(kind: unknown): ServerKind {
  return kind === "canvas" ? "canvas" : "gateway";
}
