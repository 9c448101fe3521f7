import type { NodePath } from "@babel/traverse";
import type * as t from "@babel/types";

/** Rolldown keeps function names but may add a `$N` suffix on collisions. */
export function nameMatches(name: string | undefined | null, base: string): boolean {
  if (!name) return false;
  return name === base || new RegExp(`^${base}\\$\\d+$`).test(name);
}

export function isStringValue(node: t.Node | null | undefined, value: string): boolean {
  if (!node) return false;
  if (node.type === "StringLiteral") return node.value === value;
  if (node.type === "TemplateLiteral" && node.expressions.length === 0) return node.quasis[0]?.value.cooked === value;
  return false;
}

export function isNumberValue(node: t.Node | null | undefined, value: number): boolean {
  return node?.type === "NumericLiteral" && node.value === value;
}

/** `obj.name(...)` or `obj?.name(...)` with a non-computed property `name`. */
export function memberCallName(node: t.Node): string | undefined {
  if (node.type !== "CallExpression" && node.type !== "OptionalCallExpression") return undefined;
  const callee = node.callee;
  if (callee.type !== "MemberExpression" && callee.type !== "OptionalMemberExpression") return undefined;
  if (callee.computed || callee.property.type !== "Identifier") return undefined;
  return callee.property.name;
}

export function memberCallObject(node: t.CallExpression | t.OptionalCallExpression): t.Expression | undefined {
  const callee = node.callee;
  if (callee.type !== "MemberExpression" && callee.type !== "OptionalMemberExpression") return undefined;
  return callee.object as t.Expression;
}

export type FunctionNode = t.ArrowFunctionExpression | t.FunctionExpression | t.FunctionDeclaration;

export function isFunctionNode(node: t.Node | null | undefined): node is FunctionNode {
  return node?.type === "ArrowFunctionExpression" || node?.type === "FunctionExpression" || node?.type === "FunctionDeclaration";
}

export function paramNames(fn: FunctionNode): (string | undefined)[] {
  return fn.params.map((p) => {
    if (p.type === "Identifier") return p.name;
    if (p.type === "AssignmentPattern" && p.left.type === "Identifier") return p.left.name;
    return undefined;
  });
}

/** The name a function is known by: its own id, or the variable / property it is assigned to. */
export function functionName(path: NodePath): string | undefined {
  const node = path.node;
  if ((node.type === "FunctionDeclaration" || node.type === "FunctionExpression") && node.id) return node.id.name;
  const parent = path.parentPath?.node;
  if (parent?.type === "VariableDeclarator" && parent.id.type === "Identifier") return parent.id.name;
  if (parent?.type === "ObjectProperty" && parent.key.type === "Identifier") return parent.key.name;
  return undefined;
}

/** Nearest enclosing function whose name matches one of `bases`. */
export function enclosingNamedFunction(path: NodePath, bases: readonly string[]): NodePath | undefined {
  let current: NodePath | null = path.parentPath;
  for (let depth = 0; current && depth < 10_000; depth++) {
    if (isFunctionNode(current.node)) {
      const name = functionName(current);
      if (bases.some((b) => nameMatches(name, b))) return current;
    }
    current = current.parentPath;
  }
  return undefined;
}

export function nearestFunction(path: NodePath): NodePath | undefined {
  let current: NodePath | null = path.parentPath;
  for (let depth = 0; current && depth < 10_000; depth++) {
    if (isFunctionNode(current.node)) return current;
    current = current.parentPath;
  }
  return undefined;
}

/** Depth-first search of a subtree without building paths (cheap for small bodies). */
export function someNode(root: t.Node, predicate: (node: t.Node) => boolean, limit = 200_000): boolean {
  const stack: unknown[] = [root];
  for (let visited = 0; stack.length > 0 && visited < limit; visited++) {
    const node = stack.pop() as t.Node | null | undefined;
    if (!node || typeof node !== "object" || typeof (node as t.Node).type !== "string") continue;
    if (predicate(node)) return true;
    for (const key of Object.keys(node)) {
      if (key === "loc" || key === "start" || key === "end" || key === "extra") continue;
      const value = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(value)) for (const item of value) stack.push(item);
      else if (value && typeof value === "object") stack.push(value);
    }
  }
  return false;
}

export function callsIdentifier(root: t.Node, base: string): boolean {
  return someNode(
    root,
    (n) => (n.type === "CallExpression" || n.type === "OptionalCallExpression") && n.callee.type === "Identifier" && nameMatches(n.callee.name, base),
  );
}

export function mentionsIdentifier(root: t.Node, base: string): boolean {
  return someNode(root, (n) => n.type === "Identifier" && nameMatches(n.name, base));
}

export function containsString(root: t.Node, value: string): boolean {
  return someNode(root, (n) => isStringValue(n, value) || (n.type === "TemplateElement" && (n.value.cooked ?? "").includes(value)));
}

export function containsMemberCall(root: t.Node, property: string): boolean {
  return someNode(root, (n) => memberCallName(n) === property);
}

export function lineOf(node: t.Node): { line: number; column: number } {
  return { line: node.loc?.start.line ?? 0, column: node.loc?.start.column ?? 0 };
}
