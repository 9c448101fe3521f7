import { test } from "node:test";
import assert from "node:assert/strict";
import { LineIndex } from "../../src/core/line-index.js";

/** The definition: 1 + newlines before the offset; the column counts from the last of them. */
function naive(code: string, offset: number): { line: number; column: number } {
  const before = code.slice(0, offset);
  const lastNewline = before.lastIndexOf("\n");
  return { line: before.split("\n").length, column: offset - (lastNewline + 1) };
}

test("line and column of every offset, at and around newlines", () => {
  for (const code of ["", "a", "\n", "ab\ncd\n\nef", "\n\nx\n", "#!/usr/bin/env node\nimport a from 'a';\r\nrun();"]) {
    const index = new LineIndex(code);
    for (let offset = 0; offset <= code.length; offset++) assert.deepEqual(index.at(offset), naive(code, offset), `${JSON.stringify(code)} @${offset}`);
  }
});
