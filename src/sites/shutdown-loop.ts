import type * as t from "@babel/types";
import { containsMemberCall, containsString, isNumberValue, memberCallName, memberCallObject, nearestFunction, someNode } from "../core/ast.js";
import { check, type SiteSpec } from "../core/site.js";
import { oncePerGatewayChunk } from "./copies.js";

function isServiceRestartClose(node: t.Node): boolean {
  if (node.type !== "CallExpression" || memberCallName(node) !== "close") return false;
  const object = memberCallObject(node);
  const onSocket = object?.type === "MemberExpression" && !object.computed && object.property.type === "Identifier" && object.property.name === "socket";
  const reason = node.arguments[1];
  return onSocket && isNumberValue(node.arguments[0], 1012) && reason !== undefined && containsString(reason, "service restart");
}

/** Graceful shutdown: `for (const c of clients) c.socket.close(1012, "service restart")`, then wss.close(). */
export const shutdownLoopSite: SiteSpec = {
  id: "shutdown-loop",
  description: "the shutdown loop closing every client with 1012 \"service restart\"",
  prefilter: ["service restart", "1012"],
  expected: oncePerGatewayChunk,
  visitor: (report) => ({
    ForOfStatement(path) {
      if (!someNode(path.node.body, isServiceRestartClose)) return;
      const owner = nearestFunction(path);
      const closesWss = owner !== undefined && someNode(owner.node, (n) => {
        if (memberCallName(n) !== "close") return false;
        const object = memberCallObject(n as t.CallExpression);
        return (object?.type === "Identifier" && object.name === "wss") || (object?.type === "MemberExpression" && object.property.type === "Identifier" && object.property.name === "wss");
      });
      report(path, [check("loop body closes c.socket with 1012 \"service restart\"", true), check("then closes the WebSocketServer", closesWss)], {
        upstreamBounded: owner !== undefined && containsMemberCall(owner.node, "terminate"),
      });
    },
  }),
};
