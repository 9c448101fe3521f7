import { compareReleases, parseRelease } from "../core/release.js";
import { check, type SiteSpec } from "../core/site.js";
import { oncePerGatewayChunk } from "./copies.js";
import { noServerOptions } from "./websocket-server-options.js";

const CANVAS_FOLDED_INTO_GATEWAY = parseRelease("2026.8.1")!;

/** The canvas host's live-reload `liveReload ? new WebSocketServer({ noServer: true }) : null`. */
export const canvasWssSite: SiteSpec = {
  id: "canvas-wss",
  description: "the canvas live-reload WebSocketServer creation",
  prefilter: ["liveReload", "noServer"],
  expected: (release) =>
    compareReleases(release, CANVAS_FOLDED_INTO_GATEWAY) >= 0
      ? { count: 0, why: "from 2026.8.1 /__openclaw__/ws is served by the gateway's own handler" }
      : oncePerGatewayChunk(release),
  visitor: (report) => ({
    NewExpression(path) {
      if (!noServerOptions(path.node)) return;
      const parent = path.parentPath?.node;
      const test = parent?.type === "ConditionalExpression" ? parent.test : undefined;
      report(path, [check("created only when liveReload is on", test?.type === "Identifier" && test.name === "liveReload")]);
    },
  }),
};
