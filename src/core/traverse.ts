import { createRequire } from "node:module";
import type { NodePath, Visitor } from "@babel/traverse";
import type * as t from "@babel/types";

interface Traverse {
  (parent: t.Node, opts: Visitor & { noScope?: boolean }): void;
  visitors: { merge(visitors: Visitor[]): Visitor };
}

// Required, not imported, as @babel/parser is in parse.ts: importing CommonJS from ESM makes Node
// scan the package's source for export names first (~20 ms of every apply for @babel/traverse).
const traverseFn = (createRequire(import.meta.url)("@babel/traverse") as { default: Traverse }).default;

export function mergeVisitors(visitors: Visitor[]): Visitor {
  return traverseFn.visitors.merge(visitors);
}

export function traverseWithoutScope(ast: t.File, visitor: Visitor): void {
  traverseFn(ast, { ...visitor, noScope: true });
}

export type { NodePath, Visitor };
