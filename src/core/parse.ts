import { parse } from "@babel/parser";
import type { File } from "@babel/types";

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
