import path from "node:path";
import MagicString from "magic-string";
import type * as t from "@babel/types";
import type { PatchDefinition, PatchEditor } from "./patch.js";
import type { MatchReport, ParsedTarget } from "./match.js";
import type { SiteCandidate, SiteId } from "./site.js";
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import { fixReports, fixSelection, releaseFacts, type FixReport, type ReleaseFacts } from "./fixes.js";
import { INJECTED_IDENTIFIERS, RUNTIME_FILE, markerLine, preambleCode } from "./preamble.js";
import { tryParseModule } from "./parse.js";
import { someNode } from "./ast.js";
import { LineIndex } from "./line-index.js";
import type { RuntimeConfig } from "../runtime/contract.js";

export interface PlannedEdit {
  patch: string;
  site: SiteId;
  file: string;
  offset: number;
  line: number;
  column: number;
  inserted: string;
}

export interface PlannedFile {
  path: string;
  before: Buffer;
  after: Buffer;
  patches: string[];
  edits: PlannedEdit[];
}

export type PatchState = "applied" | "not-needed";

export interface PatchOutcome {
  id: string;
  description: string;
  state: PatchState;
  reason?: string;
  files: string[];
}

export interface Plan {
  facts: ReleaseFacts;
  fixes: FixReport[];
  patches: PatchOutcome[];
  files: PlannedFile[];
  diagnostics: Diagnostic[];
}

export interface PlanInput {
  report: MatchReport;
  patches: readonly PatchDefinition[];
  toolVersion: string;
  release: string;
  config: RuntimeConfig;
}

interface FileEdits {
  target: ParsedTarget;
  magic: MagicString;
  patches: Set<string>;
  edits: PlannedEdit[];
  lines: LineIndex;
}

/** Computes every edit in memory and parse-checks each output; writes nothing. */
export function planPatches({ report, patches, toolVersion, release, config }: PlanInput): Plan {
  const facts = releaseFacts(report.results);
  const fixes = fixSelection(facts);
  const byFile = new Map<string, FileEdits>();
  const diagnostics: Diagnostic[] = [];
  const outcomes: PatchOutcome[] = [];

  const fileEdits = (site: SiteCandidate): FileEdits => {
    let entry = byFile.get(site.file);
    if (!entry) {
      const target = report.parsed.get(site.file);
      if (!target) throw new Error(`site ${site.site} points at unparsed file ${site.file}`);
      entry = { target, magic: new MagicString(target.code), patches: new Set(), edits: [], lines: new LineIndex(target.code) };
      byFile.set(site.file, entry);
    }
    return entry;
  };

  for (const patch of patches) {
    const reason = patch.notNeeded?.(facts);
    if (reason !== undefined) {
      outcomes.push({ id: patch.id, description: patch.description, state: "not-needed", reason, files: [] });
      continue;
    }
    const touched = new Set<string>();
    const record = (site: SiteCandidate, offset: number, inserted: string, mutate: (m: MagicString) => void) => {
      const entry = fileEdits(site);
      mutate(entry.magic);
      entry.patches.add(patch.id);
      touched.add(site.file);
      const { line, column } = entry.lines.at(offset);
      entry.edits.push({ patch: patch.id, site: site.site, file: site.file, offset, line, column, inserted });
    };
    const editor: PatchEditor = {
      insertAtBodyStart(site, fn, code) {
        const body = (fn as t.ArrowFunctionExpression).body;
        if (body?.type !== "BlockStatement") throw new Error(`${patch.id}: ${site.site} has no block body`);
        const offset = body.start! + 1;
        record(site, offset, code, (m) => m.appendLeft(offset, code));
      },
      insertBefore(site, statement, code) {
        const offset = statement.start!;
        record(site, offset, code, (m) => m.prependLeft(offset, code));
      },
      wrapExpression(site, expression, before, after) {
        const start = expression.start!;
        const end = expression.end!;
        record(site, start, before, (m) => m.prependRight(start, before));
        record(site, end, after, (m) => m.appendLeft(end, after));
      },
    };
    patch.apply({
      facts,
      matches: (id) => {
        if (!patch.sites.includes(id)) throw new Error(`${patch.id} did not declare site ${id}`);
        return report.results.find((r) => r.site === id)?.matches ?? [];
      },
      edit: editor,
      hookCall: (name, ...args) => `__openclawPatchHook(${JSON.stringify(name)}${args.map((a) => `, ${a}`).join("")});`,
      guardExpression: (kind) => ({ before: "__openclawPatchGuard(", after: `, ${JSON.stringify(kind)})` }),
    });
    outcomes.push({ id: patch.id, description: patch.description, state: "applied", files: [...touched].sort() });
  }

  const files: PlannedFile[] = [];
  for (const entry of [...byFile.values()].sort((a, b) => (a.target.path < b.target.path ? -1 : 1))) {
    // The text test first: walking a 1.5 MB tree for each name costs far more than a substring search.
    const clash = INJECTED_IDENTIFIERS.find((name) => entry.target.code.includes(name) && someNode(entry.target.ast, (n) => n.type === "Identifier" && n.name === name));
    if (clash) {
      diagnostics.push(
        diagnostic("OCP_ALREADY_INJECTED", `${entry.target.path} already uses ${clash}: it was patched by another copy of openclaw-patch or edited by hand`, "reinstall this OpenClaw release to get pristine files, then apply again", { file: entry.target.path }),
      );
      continue;
    }
    const patchIds = [...entry.patches];
    const runtimeSpecifier = relativeSpecifier(entry.target.path, RUNTIME_FILE);
    const code = entry.target.code;
    const preambleAt = afterImports(entry.target.ast);
    entry.magic.prependLeft(preambleAt, (preambleAt === 0 ? "" : "\n") + preambleCode(runtimeSpecifier, { toolVersion, release, chunk: entry.target.path, patches: patchIds, fixes, config }));
    const markerAt = code.startsWith("#!") ? code.indexOf("\n") + 1 : 0;
    entry.magic.prependLeft(markerAt, markerLine(toolVersion, patchIds));
    const output = entry.magic.toString();
    const parsed = tryParseModule(output);
    if ("error" in parsed) {
      diagnostics.push(
        diagnostic("OCP_PATCH_BREAKS_SYNTAX", `patching ${entry.target.path} would produce code that does not parse: ${parsed.error.message}`, "this is a bug in openclaw-patch for this release; nothing was written. Report it with `openclaw-patch apply --dry-run --json`", { file: entry.target.path, ...parsed.error }),
      );
      continue;
    }
    files.push({ path: entry.target.path, before: entry.target.content, after: Buffer.from(output, "utf8"), patches: patchIds, edits: entry.edits.sort((a, b) => a.offset - b.offset) });
  }
  const failure = diagnostics.length > 0 ? diagnostics[0]!.message : undefined;
  return { facts, fixes: fixReports(facts, diagnostics.length === 0, failure), patches: outcomes, files, diagnostics };
}

function afterImports(ast: t.File): number {
  let end = 0;
  for (const statement of ast.program.body) {
    if (statement.type === "ImportDeclaration") end = statement.end!;
  }
  return end;
}

function relativeSpecifier(fromFile: string, toFile: string): string {
  const rel = path.posix.relative(path.posix.dirname(fromFile), toFile);
  return rel.startsWith(".") ? rel : `./${rel}`;
}
