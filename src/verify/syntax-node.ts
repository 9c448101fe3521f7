import { runProcess } from "../core/run-process.js";
import fs from "node:fs/promises";
import path from "node:path";
import { warning, type Diagnostic } from "../core/diagnostics.js";
import { compareVersions, oldestAdmitted, parseVersion, satisfiesRange } from "./node-range.js";

/** A Node binary verify may check syntax with, and why it is a candidate. */
export interface NodeCandidate {
  binary: string;
  source: string;
}

export interface ProbedNode extends NodeCandidate {
  /** `node --version` ("v24.16.0"); null when the binary could not be run. */
  version: string | null;
  /** Against the release's engines.node; null when the release states none this tool can read. */
  satisfiesEngines: boolean | null;
  /** Why it could not be run, when it could not. */
  error?: string;
}

/** The Node `node --check` runs under, chosen against the release's engines. */
export interface SyntaxNodeChoice {
  /** Absent when no candidate could be run at all: the check is then skipped, not failed. */
  node?: ProbedNode;
  /** The release's engines.node, as written. */
  engines?: string;
  /** The oldest Node the engines admit ("24.16"), for messages. */
  needs?: string;
  considered: ProbedNode[];
  diagnostics: Diagnostic[];
}

export interface SyntaxNodeInput {
  /** --node: used as given, whatever its version. */
  option?: string;
  /** The gateway's service definition and the Node its command line starts. */
  service?: { file: string; nodeBinary?: string };
  realRoot: string;
  env: Record<string, string | undefined>;
  homedir: string;
  platform: NodeJS.Platform;
  /** This process's Node: the last resort. */
  execPath: string;
}

const VERSION_TIMEOUT_MS = 10_000;

/**
 * --node, else the first Node at hand that the release's engines admit: the service's, the one of
 * the npm prefix the package sits in, OpenClaw's installer Nodes, the one beside an `openclaw` on
 * PATH, this process's. When none is admitted the newest is used; verify then judges a failing file
 * against its pristine original, so a Node too old for the release cannot fail it.
 */
export async function chooseSyntaxNode(input: SyntaxNodeInput): Promise<SyntaxNodeChoice> {
  const diagnostics: Diagnostic[] = [];
  const engines = await readEngines(input.realRoot);
  const needs = engines === undefined ? undefined : oldestAdmitted(engines);
  const base = { ...(engines === undefined ? {} : { engines }), ...(needs === undefined ? {} : { needs }) };
  if (input.option !== undefined) {
    const probed = await probe({ binary: input.option, source: "--node" }, engines);
    return { ...base, ...(probed.version === null ? {} : { node: probed }), considered: [probed], diagnostics };
  }
  const serviceNode = input.service?.nodeBinary;
  if (input.service && serviceNode !== undefined && !(await exists(serviceNode))) {
    diagnostics.push(warning("OCP_SERVICE_NODE_MISSING", `The gateway service ${input.service.file} starts ${serviceNode}, which does not exist; another Node at hand was used instead.`, "reinstall the service (`openclaw gateway install --force`), or pass --node"));
  }
  const candidates = await unique(await nodeCandidates(input));
  const considered = await Promise.all(candidates.map((candidate) => probe(candidate, engines)));
  const runnable = considered.filter((node) => node.version !== null);
  const node =
    runnable.find((n) => n.satisfiesEngines === true) ??
    runnable.find((n) => n.satisfiesEngines === null) ??
    runnable.reduce<ProbedNode | undefined>((best, n) => (best === undefined || compareVersions(parseVersion(n.version!)!, parseVersion(best.version!)!) > 0 ? n : best), undefined);
  return { ...base, ...(node === undefined ? {} : { node }), considered, diagnostics };
}

/** Every Node at hand that may be the gateway's, most telling first. */
export async function nodeCandidates(input: SyntaxNodeInput): Promise<NodeCandidate[]> {
  const p = input.platform === "win32" ? path.win32 : path.posix;
  const nodeIn = (dir: string) => (input.platform === "win32" ? p.join(dir, "node.exe") : p.join(dir, "bin", "node"));
  const candidates: NodeCandidate[] = [];
  if (input.service?.nodeBinary !== undefined) candidates.push({ binary: input.service.nodeBinary, source: `the Node of ${input.service.file}` });

  // <prefix>/lib/node_modules/openclaw (POSIX) or <prefix>/node_modules/openclaw (Windows): nvm,
  // the installer's tools/node-vX and a plain `npm i -g` all keep their Node in that prefix.
  const modules = p.dirname(input.realRoot);
  if (p.basename(modules) === "node_modules") {
    const prefix = input.platform === "win32" ? p.dirname(modules) : p.basename(p.dirname(modules)) === "lib" ? p.dirname(p.dirname(modules)) : undefined;
    if (prefix !== undefined) candidates.push({ binary: nodeIn(prefix), source: `the Node of the npm prefix ${prefix}` });
  }

  const prefixes = [...new Set([input.env.OPENCLAW_PREFIX?.trim(), p.join(input.homedir, ".openclaw")])].filter((x): x is string => !!x);
  for (const prefix of prefixes) {
    const tools = p.join(prefix, "tools");
    const names = (await fs.readdir(tools).catch(() => [] as string[])).filter((name) => name === "node" || name.startsWith("node-"));
    // Newest first: the installer leaves earlier versions behind.
    names.sort((a, b) => compareVersions(parseVersion(b.replace(/^node-/, "")) ?? [0, 0, 0], parseVersion(a.replace(/^node-/, "")) ?? [0, 0, 0]));
    for (const name of names) candidates.push({ binary: nodeIn(p.join(tools, name)), source: `OpenClaw's installer Node in ${tools}` });
  }

  const pathDirs = (input.env.PATH ?? input.env.Path ?? "").split(input.platform === "win32" ? ";" : ":").filter(Boolean);
  const launcher = input.platform === "win32" ? ["openclaw.cmd", "openclaw.ps1", "openclaw"] : ["openclaw"];
  const node = input.platform === "win32" ? "node.exe" : "node";
  for (const dir of pathDirs) {
    for (const name of launcher) {
      if (!(await exists(p.join(dir, name)))) continue;
      candidates.push({ binary: p.join(dir, node), source: `the Node beside ${p.join(dir, name)}` });
      break;
    }
  }
  candidates.push({ binary: input.execPath, source: "this process's Node" });
  return candidates;
}

async function probe(candidate: NodeCandidate, engines: string | undefined): Promise<ProbedNode> {
  const ran = await nodeVersion(candidate.binary);
  const version = "version" in ran ? ran.version : null;
  const parsed = version === null ? undefined : parseVersion(version);
  const satisfiesEngines = engines === undefined || parsed === undefined ? null : satisfiesRange(parsed, engines) ?? null;
  return { ...candidate, version, satisfiesEngines, ...("error" in ran ? { error: ran.error } : {}) };
}

async function nodeVersion(binary: string): Promise<{ version: string } | { error: string }> {
  if (binary === process.execPath) return { version: process.version };
  const outcome = await runProcess({ argv: [binary, "--version"] }, { timeoutMs: VERSION_TIMEOUT_MS });
  const version = outcome.stdout.trim();
  if (outcome.startError !== undefined) return { error: outcome.startError };
  if (outcome.code !== 0) return { error: outcome.stderr.split("\n")[0] || `exit ${outcome.code}` };
  if (!parseVersion(version)) return { error: `printed ${JSON.stringify(version.slice(0, 40))}` };
  return { version };
}

/** Candidates found twice (the service's Node is often the prefix's) are probed once. */
async function unique(candidates: NodeCandidate[]): Promise<NodeCandidate[]> {
  const seen = new Set<string>();
  const kept: NodeCandidate[] = [];
  for (const candidate of candidates) {
    if (!(await exists(candidate.binary))) continue;
    const key = await fs.realpath(candidate.binary).catch(() => candidate.binary);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(candidate);
  }
  return kept;
}

async function readEngines(realRoot: string): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(await fs.readFile(path.join(realRoot, "package.json"), "utf8")) as { engines?: { node?: unknown } };
    return typeof pkg.engines?.node === "string" && pkg.engines.node.trim() !== "" ? pkg.engines.node.trim() : undefined;
  } catch {
    return undefined;
  }
}

function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
