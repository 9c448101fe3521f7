import type { Diagnostic } from "../../core/diagnostics.js";
import type { FixReport } from "../../core/fixes.js";
import type { CommandIO } from "../../cli/io.js";
import { renderDiagnostic } from "../../cli/io.js";

const FIX_MARK: Record<FixReport["state"], string> = { applied: "✓", "would-apply": "+", "not-needed": "–", failed: "✗" };

export function renderFixes(fixes: readonly FixReport[]): string[] {
  return fixes.map((f) => `    ${FIX_MARK[f.state]} ${f.fix.padEnd(17)} ${f.state === "not-needed" ? "not needed: " : f.state === "failed" ? "failed: " : f.state === "would-apply" ? "would apply: " : ""}${f.detail}`);
}

/** Warnings are collected through a run and printed once, after the result. */
export function renderDiagnostics(io: CommandIO, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.err(renderDiagnostic(d));
}

/** A short window of bundle text on one line: bundle lines can be thousands of characters long. */
export function windowText(text: string): string {
  return text.replace(/\t/g, "  ").replace(/\n/g, "⏎");
}
