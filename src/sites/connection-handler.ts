import type * as t from "@babel/types";
import { callsIdentifier, containsMemberCall, containsString, enclosingNamedFunction, isFunctionNode, isStringValue, memberCallName, mentionsIdentifier, paramNames } from "../core/ast.js";
import { check, type SiteSpec } from "../core/site.js";
import { oncePerGatewayChunk } from "./copies.js";

/** `wss.on("connection", (socket, upgradeReq) => …)` in attachGatewayWsConnectionHandler. */
export const connectionHandlerSite: SiteSpec = {
  id: "connection-handler",
  description: "the gateway's WebSocket connection callback (socket, upgradeReq)",
  prefilter: ["attachGatewayWsConnectionHandler", "closed before connect conn="],
  expected: oncePerGatewayChunk,
  visitor: (report) => ({
    CallExpression(path) {
      const node = path.node;
      if (memberCallName(node) !== "on" || !isStringValue(node.arguments[0], "connection")) return;
      const callback = node.arguments[1];
      const fn = isFunctionNode(callback) ? callback : undefined;
      const owner = enclosingNamedFunction(path, ["attachGatewayWsConnectionHandler"]);
      const names = fn ? paramNames(fn) : [];
      report(
        path,
        [
          check("inside attachGatewayWsConnectionHandler", owner !== undefined),
          check("callback is a function", fn !== undefined),
          check("callback takes (socket, upgradeReq)", names.length === 2 && names.every(Boolean), `params: ${names.join(", ")}`),
        ],
        fn
          ? {
              socketName: names[0],
              requestName: names[1],
              upstreamKeepalive: callsIdentifier(fn, "startWebSocketKeepalive") || containsString(fn, "heartbeat-timeout"),
              releasePing: mentionsIdentifier(fn, "pingTimer") && containsMemberCall(fn as t.Node, "ping"),
            }
          : {},
      );
    },
  }),
};
