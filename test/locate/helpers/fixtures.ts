import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Compiled tests live in build/test/locate/helpers; fixtures stay at the repository root. */
const FIXTURES_ROOT = new URL("../../../../fixtures/", import.meta.url);

/** A fixture's text with `{{NAME}}` placeholders filled in. Unknown placeholders are a test bug. */
export function fixture(relative: string, values: Record<string, string> = {}): string {
  const text = readFileSync(fileURLToPath(new URL(relative, FIXTURES_ROOT)), "utf8");
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`fixture ${relative}: no value for {{${name}}}`);
    return value;
  });
}

export function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}
