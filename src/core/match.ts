import type * as t from "@babel/types";
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import { tryParseModule } from "./parse.js";
import type { ReleaseVersion } from "./release.js";
import { listBundleFiles, prefilterFiles } from "./scan.js";
import type { SiteCandidate, SiteExpectation, SiteId, SiteSpec } from "./site.js";
import { mergeVisitors, traverseWithoutScope, type Visitor } from "./traverse.js";

export interface ParsedTarget {
  path: string;
  content: Buffer;
  code: string;
  ast: t.File;
}

export interface SiteResult {
  site: SiteId;
  description: string;
  expected: SiteExpectation;
  matches: SiteCandidate[];
  /** Candidates that failed at least one check, best first. */
  nearMisses: SiteCandidate[];
}

export interface MatchReport {
  scannedFiles: number;
  prefilteredFiles: string[];
  parsed: Map<string, ParsedTarget>;
  results: SiteResult[];
  diagnostics: Diagnostic[];
}

/** Finds every site in the package: glob, substring prefilter, then one AST pass per candidate file. */
export async function matchSites(
  root: string,
  release: ReleaseVersion,
  sites: readonly SiteSpec[],
  /** Contents to use instead of the disk's (the originals, when re-applying over our own patch). */
  overrides: ReadonlyMap<string, Buffer> = new Map(),
  /** Files that are not the release's code: an older release's, left behind by an upgrade. */
  excluded: ReadonlySet<string> = new Set(),
): Promise<MatchReport> {
  const files = listBundleFiles(root).filter((file) => !excluded.has(file));
  const hits = prefilterFiles(root, files, sites.map((s) => s.prefilter), overrides);
  const parsed = new Map<string, ParsedTarget>();
  const candidates = new Map<SiteId, SiteCandidate[]>(sites.map((s) => [s.id, []]));
  const diagnostics: Diagnostic[] = [];

  for (const hit of hits) {
    const applicable = sites.filter((s) => s.prefilter.every((needle) => hit.content.includes(needle)));
    if (applicable.length === 0) continue;
    const code = hit.content.toString("utf8");
    const result = tryParseModule(code);
    if ("error" in result) {
      diagnostics.push(
        diagnostic(
          "OCP_BUNDLE_UNPARSABLE",
          `${hit.path} holds gateway anchors but does not parse: ${result.error.message}`,
          "the release may use syntax this version of openclaw-patch cannot read; update openclaw-patch",
          { file: hit.path, ...result.error },
          "warning",
        ),
      );
      continue;
    }
    parsed.set(hit.path, { path: hit.path, content: hit.content, code, ast: result.ast });
    const visitors: Visitor[] = applicable.map((site) =>
      site.visitor((path, checks, data = {}) => {
        const loc = path.node.loc?.start;
        candidates.get(site.id)!.push({
          site: site.id,
          file: hit.path,
          line: loc?.line ?? 0,
          column: loc?.column ?? 0,
          node: path.node,
          checks,
          data,
        });
      }),
    );
    traverseWithoutScope(result.ast, mergeVisitors(visitors));
  }

  const results = sites.map((site): SiteResult => {
    const all = candidates.get(site.id)!;
    const passed = (c: SiteCandidate) => c.checks.filter((x) => x.ok).length;
    return {
      site: site.id,
      description: site.description,
      expected: site.expected(release),
      matches: all.filter((c) => c.checks.every((x) => x.ok)),
      nearMisses: all.filter((c) => !c.checks.every((x) => x.ok)).sort((a, b) => passed(b) - passed(a)),
    };
  });
  return { scannedFiles: files.length, prefilteredFiles: hits.map((h) => h.path), parsed, results, diagnostics };
}

/** The matching contract: every site exactly as often as the release is expected to hold it. */
export function contractDiagnostics(results: readonly SiteResult[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of results) {
    const found = r.matches.length;
    if (found === r.expected.count) continue;
    const where = r.matches.map((m) => `${m.file}:${m.line}`);
    const nearest = r.nearMisses.slice(0, 3).map((m) => ({
      at: `${m.file}:${m.line}:${m.column}`,
      passed: m.checks.filter((c) => c.ok).map((c) => c.name),
      failed: m.checks.filter((c) => !c.ok).map((c) => (c.detail ? `${c.name} (${c.detail})` : c.name)),
    }));
    const missing = found < r.expected.count;
    const nearestText = nearest[0] ? `; nearest miss at ${nearest[0].at} failed: ${nearest[0].failed.join("; ")}` : "; no candidate shape found";
    out.push(
      diagnostic(
        missing ? "OCP_SITE_NOT_FOUND" : "OCP_SITE_AMBIGUOUS",
        `${r.site} (${r.description}): found ${found}, expected ${r.expected.count} (${r.expected.why})${missing ? nearestText : `; at ${where.join(", ")}`}`,
        missing
          ? "this release's gateway code differs from every shape openclaw-patch knows; nothing was written. Check for a newer openclaw-patch, or report the release with `openclaw-patch apply --dry-run --json` output"
          : "the site is not unique, so patching it could change the wrong code; nothing was written. Report the release with `openclaw-patch apply --dry-run --json` output",
        { site: r.site, found, expected: r.expected.count, matches: where, nearestMisses: nearest },
      ),
    );
  }
  return out;
}
