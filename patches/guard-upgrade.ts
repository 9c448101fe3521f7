import type * as t from "@babel/types";
import { definePatch } from "../src/core/patch.js";

export default definePatch({
  id: "guard-upgrade",
  description: "TCP keepalive from the HTTP upgrade on, and header/request timeouts so a half-sent upgrade cannot hold a socket for a minute",
  carries: ["tcp-keepalive", "http-timeouts"],
  sites: ["upgrade-handler"],
  apply(ctx) {
    for (const site of ctx.matches("upgrade-handler")) {
      const call = site.node as t.CallExpression;
      const { requestName, socketName, serverName } = site.data;
      const server = serverName ? String(serverName) : "undefined";
      // At registration time, so connections that never finish their request are bounded too.
      ctx.edit.insertBefore(site, call, ctx.hookCall("guardHttpServer", server));
      ctx.edit.insertAtBodyStart(site, call.arguments[1]!, ctx.hookCall("upgradeStarted", String(requestName), String(socketName), server));
    }
  },
});
