import type { Diagnostic } from "../../core/diagnostics.js";
import type { FixReport } from "../../core/fixes.js";
import { DURATION_SETTINGS, RUNTIME_ENV, type RuntimeConfig } from "../../runtime/contract.js";
import type { CommandIO } from "../../cli/io.js";
import { renderDiagnostic } from "../../cli/io.js";

const FIX_MARK: Record<FixReport["state"], string> = { applied: "✓", "would-apply": "+", "not-needed": "–", failed: "✗" };

export function renderFixes(fixes: readonly FixReport[]): string[] {
  return fixes.map((f) => `    ${FIX_MARK[f.state]} ${f.fix.padEnd(17)} ${f.state === "not-needed" ? "not needed: " : f.state === "failed" ? "failed: " : f.state === "would-apply" ? "would apply: " : ""}${f.detail}`);
}

const ABORTIVE_CLOSE_TEXT: Record<string, string> = {
  true: "on (sockets given up on are reset; the kernel keeps no orphan)",
  false: "off (sockets given up on close gracefully; the kernel may keep them for minutes)",
  undefined: "not in this install's runtime (patched by an older openclaw-patch; apply again)",
};

/**
 * The settings the install was patched with. The gateway's environment can override each at its
 * start, which only the running gateway knows: its trace's `started` line has what is in force.
 */
export function renderSettings(config: RuntimeConfig): string[] {
  const durations = DURATION_SETTINGS.map((key) => `${key.replace(/Ms$/, "")} ${config[key]} ms`).join(", ");
  return [
    `  settings at apply time: ${durations}`,
    `    abortive close: ${ABORTIVE_CLOSE_TEXT[String((config as Partial<RuntimeConfig>).abortiveClose)] ?? ABORTIVE_CLOSE_TEXT.undefined}`,
    `    ${RUNTIME_ENV.abortiveClose} and the other OPENCLAW_PATCH_* variables in the gateway's environment override these; the trace's started line shows what is in force`,
  ];
}

/** Warnings are collected through a run and printed once, after the result. */
export function renderDiagnostics(io: CommandIO, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.err(renderDiagnostic(d));
}

/** A short window of bundle text on one line: bundle lines can be thousands of characters long. */
export function windowText(text: string): string {
  return text.replace(/\t/g, "  ").replace(/\n/g, "⏎");
}
