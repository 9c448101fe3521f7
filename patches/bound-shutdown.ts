import { definePatch } from "../src/core/patch.js";

export default definePatch({
  id: "bound-shutdown",
  description: "Shutdown terminates clients that have not closed within the grace period, so the port is released at once",
  carries: ["bounded-shutdown"],
  sites: ["shutdown-loop"],
  notNeeded: (facts) => (facts.upstreamBoundedShutdown ? "upstream bounds shutdown and terminates lingering clients (2026.4.5+)" : undefined),
  apply(ctx) {
    for (const site of ctx.matches("shutdown-loop")) ctx.edit.insertBefore(site, site.node, ctx.hookCall("shutdownStarted"));
  },
});
