import { enclosingNamedFunction, isFunctionNode, isStringValue, memberCallName, memberCallObject, paramNames } from "../core/ast.js";
import { check, type SiteSpec } from "../core/site.js";
import { oncePerGatewayChunk } from "./copies.js";

/** `httpServer.on("upgrade", (req, socket, head) => …)` in attachGatewayUpgradeHandler. */
export const upgradeHandlerSite: SiteSpec = {
  id: "upgrade-handler",
  description: "the HTTP upgrade handler (req, socket, head) of the gateway's HTTP server",
  prefilter: ["attachGatewayUpgradeHandler", "\"upgrade\""],
  expected: oncePerGatewayChunk,
  visitor: (report) => ({
    CallExpression(path) {
      const node = path.node;
      if (memberCallName(node) !== "on" || !isStringValue(node.arguments[0], "upgrade")) return;
      const callback = node.arguments[1];
      const fn = isFunctionNode(callback) ? callback : undefined;
      const names = fn ? paramNames(fn) : [];
      const object = memberCallObject(node);
      report(
        path,
        [
          check("inside attachGatewayUpgradeHandler", enclosingNamedFunction(path, ["attachGatewayUpgradeHandler"]) !== undefined),
          check("callback takes (req, socket, head)", names.length === 3 && names.every(Boolean), `params: ${names.join(", ")}`),
          check("callback has a block body", fn?.body.type === "BlockStatement"),
          check("registered as a statement of its own", path.parentPath?.node.type === "ExpressionStatement"),
        ],
        {
          requestName: names[0],
          socketName: names[1],
          serverName: object?.type === "Identifier" ? object.name : undefined,
        },
      );
    },
  }),
};
