import { warning, type Diagnostic } from "../core/diagnostics.js";
import type { SyntaxNodeChoice } from "./syntax-node.js";

/** Why no Node at hand could judge a file, in a few words for its line of the report. */
export function skipReason(syntax: SyntaxNodeChoice): string {
  if (syntax.node === undefined) return "no Node at hand could be run";
  if (syntax.node.satisfiesEngines === false && syntax.needs !== undefined) return `needs Node >= ${syntax.needs}`;
  return `the original does not parse under ${syntax.node.version} either`;
}

/** One warning for every file whose node --check was skipped, with the Node to pass as --node. */
export function skippedDiagnostic(install: { version: string }, syntax: SyntaxNodeChoice, files: readonly string[]): Diagnostic {
  const which = `${files.length} file(s) (${files.slice(0, 3).join(", ")}${files.length > 3 ? ", …" : ""})`;
  const looked = syntax.considered.map((n) => `${n.binary} ${n.version ?? `(${n.error ?? "not runnable"})`}`).join(", ");
  const needs = syntax.needs === undefined ? "a Node that can run it" : `a Node >= ${syntax.needs}`;
  const details = { files, engines: syntax.engines ?? null, node: syntax.node?.binary ?? null, nodeVersion: syntax.node?.version ?? null, considered: syntax.considered };
  const remedy = `pass --node with the path of ${needs}: the one the gateway runs on (OpenClaw's installer keeps it in ~/.openclaw/tools/node-*/bin/node)`;
  if (syntax.node === undefined) {
    return warning("OCP_SYNTAX_CHECK_SKIPPED", `node --check skipped for ${which}: no Node at hand could be run (looked at: ${looked || "none"}).`, remedy, { ...details, reason: "no-node" });
  }
  if (syntax.node.satisfiesEngines === false) {
    return warning(
      "OCP_SYNTAX_CHECK_SKIPPED",
      `node --check skipped for ${which}: OpenClaw ${install.version} needs Node >= ${syntax.needs} (engines ${JSON.stringify(syntax.engines)}); the release's own files do not parse under ${syntax.node.version} (${syntax.node.binary}), the newest Node at hand (looked at: ${looked}).`,
      remedy,
      { ...details, reason: "node-too-old" },
    );
  }
  return warning(
    "OCP_SYNTAX_CHECK_SKIPPED",
    `node --check skipped for ${which}: the release's own originals do not parse under ${syntax.node.version} (${syntax.node.binary}) either, so the failure is not openclaw-patch's edit.`,
    `check that ${syntax.node.binary} is the Node the gateway runs on; if it is, report this release to OpenClaw`,
    { ...details, reason: "original-fails" },
  );
}
