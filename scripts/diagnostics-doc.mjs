// Writes docs/diagnostics.md from the diagnostic catalogue (src/core/diagnostic-codes.ts).
// Run after `npm run build`; test/cli/diagnostics-doc.test.ts fails while the file is stale.
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const { renderDiagnosticsDoc } = await import(path.join(root, "build", "src", "cli", "diagnostics-doc.js"));
fs.writeFileSync(path.join(root, "docs", "diagnostics.md"), renderDiagnosticsDoc());
process.stdout.write("wrote docs/diagnostics.md\n");
