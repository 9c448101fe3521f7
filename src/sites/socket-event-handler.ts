import type { NodePath } from "@babel/traverse";
import type * as t from "@babel/types";
import { isFunctionNode, isStringValue, memberCallName, memberCallObject, paramNames } from "../core/ast.js";
import { check, type SiteCheck, type SiteSpec } from "../core/site.js";
import { lifecycleScope } from "./lifecycle-scope.js";

/** `socket.once(<event>, (a, b) => …)` inside the connection lifecycle, with `arity` parameters. */
export function socketOnceHandler(
  node: t.CallExpression,
  path: NodePath,
  event: string,
  arity: number,
): { checks: SiteCheck[]; names: (string | undefined)[] } | undefined {
  if (memberCallName(node) !== "once" || !isStringValue(node.arguments[0], event)) return undefined;
  const object = memberCallObject(node);
  const callback = node.arguments[1];
  const fn = isFunctionNode(callback) ? callback : undefined;
  const names = fn ? paramNames(fn) : [];
  return {
    names,
    checks: [
      check("inside the connection lifecycle", lifecycleScope(path) !== undefined),
      check("called on the connection socket", object?.type === "Identifier" && object.name === "socket"),
      check(`callback takes ${arity} parameter(s)`, names.length === arity && names.every(Boolean), `params: ${names.join(", ")}`),
      check("callback has a block body", fn?.body.type === "BlockStatement"),
    ],
  };
}

export const SOCKET_EVENT_PREFILTER = ["attachGatewayWsConnectionHandler", "closed before connect conn="] as const;

export function socketEventVisitor(event: string, arity: number): SiteSpec["visitor"] {
  return (report) => ({
    CallExpression(path) {
      const found = socketOnceHandler(path.node, path, event, arity);
      if (!found) return;
      const data: Record<string, string | undefined> = {};
      found.names.forEach((name, i) => (data[`param${i}`] = name));
      report(path, found.checks, data);
    },
  });
}
