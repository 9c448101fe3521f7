import { DIAGNOSTIC_CODES, type CodeEntry, type DiagnosticCode } from "../core/diagnostic-codes.js";
import { EXIT } from "./exit-codes.js";

/** docs/diagnostics.md, generated from the catalogue by scripts/diagnostics-doc.mjs; a test keeps it current. */
export function renderDiagnosticsDoc(): string {
  const entries = Object.entries(DIAGNOSTIC_CODES) as [DiagnosticCode, CodeEntry][];
  const rows = entries.map(([code, entry]) => {
    const exit = entry.severity.includes("error") ? String(EXIT[entry.exit]) : "–";
    const where = entry.processWarning ? " (Node process warning in the gateway)" : "";
    return `| \`${code}\` | ${entry.severity.join(" or ")} | ${exit} | ${entry.title}${where} |`;
  });
  return [
    "# Diagnostic codes",
    "",
    "<!-- Generated from src/core/diagnostic-codes.ts by `npm run build && node scripts/diagnostics-doc.mjs`; do not edit. -->",
    "",
    "Every problem openclaw-patch reports has a stable code, a message and a remedy. With `--json`, a",
    "command that fails prints `{ \"error\": {code, severity, message, remedy, details}, \"diagnostics\": [...] }`;",
    "warnings appear in the command's `diagnostics` list. The exit column is the exit code a command ends",
    "with when the code is its error (– for codes that are never an error).",
    "",
    `${entries.length} codes.`,
    "",
    "| code | severity | exit | what it means |",
    "|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}
