import type { SiteId, SiteSpec } from "../core/site.js";
import { canvasWssSite } from "./canvas-wss.js";
import { closeHandlerSite } from "./close-handler.js";
import { closeHelperSite } from "./close-helper.js";
import { connectionHandlerSite } from "./connection-handler.js";
import { errorHandlerSite } from "./error-handler.js";
import { gatewayWssSite } from "./gateway-wss.js";
import { shutdownLoopSite } from "./shutdown-loop.js";
import { setClientSite } from "./set-client.js";
import { upgradeHandlerSite } from "./upgrade-handler.js";

export const SITES: readonly SiteSpec[] = [
  connectionHandlerSite,
  closeHelperSite,
  closeHandlerSite,
  errorHandlerSite,
  upgradeHandlerSite,
  gatewayWssSite,
  canvasWssSite,
  shutdownLoopSite,
  setClientSite,
];

export function siteById(id: SiteId): SiteSpec {
  const site = SITES.find((s) => s.id === id);
  if (!site) throw new Error(`unknown site ${id}`);
  return site;
}
