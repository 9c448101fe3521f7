import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { renderDiagnosticsDoc } from "../../src/cli/diagnostics-doc.js";
import { DIAGNOSTIC_CODES, isDiagnosticCode } from "../../src/core/diagnostic-codes.js";

/** build/test/cli → the repository */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe("the diagnostic catalogue", () => {
  test("docs/diagnostics.md is generated from it and current (node scripts/diagnostics-doc.mjs rewrites it)", () => {
    assert.equal(fs.readFileSync(path.join(ROOT, "docs", "diagnostics.md"), "utf8"), renderDiagnosticsDoc());
  });

  test("every OCP_ code written in src/ is in it, including those the runtime and locate keep as plain strings", () => {
    // Diagnostics are checked by the compiler; this catches the codes that are not built as one.
    // "OCP_RUNTIME" alone is a prefix the self-test matches warnings on, not a code.
    const missing = new Set<string>();
    for (const file of sourceFiles(path.join(ROOT, "src"))) {
      for (const [, code] of fs.readFileSync(file, "utf8").matchAll(/"(OCP_[A-Z0-9_]+)"/g)) {
        if (code !== "OCP_RUNTIME" && !isDiagnosticCode(code!)) missing.add(`${code} (${path.relative(ROOT, file)})`);
      }
    }
    assert.deepEqual([...missing], []);
  });

  test("each code has a title", () => {
    for (const [code, entry] of Object.entries(DIAGNOSTIC_CODES)) assert.ok(entry.title.length > 0, code);
  });
});
