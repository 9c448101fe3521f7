import { definePatch } from "../src/core/patch.js";

export default definePatch({
  id: "guard-canvas-server",
  description: "Guards the canvas live-reload WebSocketServer, which never sends data and so never notices a vanished peer",
  carries: ["heartbeat", "close-grace", "tcp-keepalive"],
  sites: ["canvas-wss"],
  notNeeded: (facts) => (facts.separateCanvasServer ? undefined : "the gateway's own handler serves /__openclaw__/ws in this release (2026.8.1+)"),
  apply(ctx) {
    const { before, after } = ctx.guardExpression("canvas");
    for (const site of ctx.matches("canvas-wss")) ctx.edit.wrapExpression(site, site.node, before, after);
  },
});
