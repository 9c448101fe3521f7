import { callsIdentifier, nearestFunction } from "../core/ast.js";
import { check, type SiteSpec } from "../core/site.js";
import { oncePerGatewayChunk } from "./copies.js";
import { hasOption, noServerOptions } from "./websocket-server-options.js";

/** The gateway's `new WebSocketServer({ noServer: true, maxPayload })`, handed to attachGatewayUpgradeHandler. */
export const gatewayWssSite: SiteSpec = {
  id: "gateway-wss",
  description: "the gateway's WebSocketServer creation",
  prefilter: ["attachGatewayUpgradeHandler", "noServer"],
  expected: oncePerGatewayChunk,
  visitor: (report) => ({
    NewExpression(path) {
      const options = noServerOptions(path.node);
      if (!options) return;
      const parent = path.parentPath?.node;
      const owner = nearestFunction(path);
      report(path, [
        check("sets maxPayload", hasOption(options, "maxPayload")),
        check("not the canvas live-reload server", !(parent?.type === "ConditionalExpression")),
        check("created where attachGatewayUpgradeHandler is called", owner !== undefined && callsIdentifier(owner.node, "attachGatewayUpgradeHandler")),
      ]);
    },
  }),
};
