import { createRequire } from "node:module";
import type { File } from "@babel/types";

// Required, not imported: importing a CommonJS package from ESM makes Node scan its source for export
// names first, and @babel/parser is one 500 KB file (~30 ms of every apply).
const { parse } = createRequire(import.meta.url)("@babel/parser") as typeof import("@babel/parser");

export interface ParseFailure {
  message: string;
  line?: number;
  column?: number;
}

/**
 * Parses a bundle as an ES module. Positions only: no tokens, no comments, because the bundles are
 * edited by byte offset with magic-string and never reprinted.
 */
export function parseModule(code: string): File {
  return parse(code, {
    sourceType: "module",
    attachComment: false,
    tokens: false,
    ranges: false,
    errorRecovery: false,
  });
}

export function tryParseModule(code: string): { ast: File } | { error: ParseFailure } {
  try {
    return { ast: parseModule(code) };
  } catch (error) {
    const e = error as Error & { loc?: { line: number; column: number } };
    const failure: ParseFailure = { message: e.message };
    if (e.loc) {
      failure.line = e.loc.line;
      failure.column = e.loc.column;
    }
    return { error: failure };
  }
}
