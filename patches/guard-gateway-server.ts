import { definePatch } from "../src/core/patch.js";

export default definePatch({
  id: "guard-gateway-server",
  description: "Hands the gateway's WebSocketServer to the runtime: heartbeat or pong deadline, close grace, TCP keepalive, error ends in terminate",
  carries: ["heartbeat", "close-grace", "tcp-keepalive"],
  sites: ["gateway-wss"],
  apply(ctx) {
    const { before, after } = ctx.guardExpression("gateway");
    for (const site of ctx.matches("gateway-wss")) ctx.edit.wrapExpression(site, site.node, before, after);
  },
});
