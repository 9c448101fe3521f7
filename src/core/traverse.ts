import traverseModule, { type NodePath, type Visitor } from "@babel/traverse";
import type * as t from "@babel/types";


// @babel/traverse is CommonJS with a default export; under NodeNext the default may arrive wrapped.
const traverseFn = ((traverseModule as unknown as { default?: unknown }).default ?? traverseModule) as unknown as {
  (parent: t.Node, opts: Visitor & { noScope?: boolean }): void;
  visitors: { merge(visitors: Visitor[]): Visitor };
};

export function mergeVisitors(visitors: Visitor[]): Visitor {
  return traverseFn.visitors.merge(visitors);
}

export function traverseWithoutScope(ast: t.File, visitor: Visitor): void {
  traverseFn(ast, { ...visitor, noScope: true });
}

export type { NodePath, Visitor };
