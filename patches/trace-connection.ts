import type * as t from "@babel/types";
import { definePatch } from "../src/core/patch.js";

export default definePatch({
  id: "trace-connection",
  description: "Lifecycle hooks in the connection handler: opened, authenticated, close started, close observed, error observed",
  carries: ["lifecycle-trace", "close-grace"],
  sites: ["connection-handler", "close-helper", "close-handler", "error-handler", "set-client"],
  apply(ctx) {
    for (const site of ctx.matches("connection-handler")) {
      const call = site.node as t.CallExpression;
      const { socketName, requestName } = site.data;
      ctx.edit.insertAtBodyStart(site, call.arguments[1]!, ctx.hookCall("connectionOpened", String(socketName), String(requestName), JSON.stringify("gateway")));
    }
    for (const site of ctx.matches("close-helper")) {
      const declarator = site.node as t.VariableDeclarator;
      const { codeName, reasonName } = site.data;
      ctx.edit.insertAtBodyStart(site, declarator.init!, ctx.hookCall("closeStarted", "socket", String(codeName), String(reasonName)));
    }
    for (const site of ctx.matches("close-handler")) {
      const call = site.node as t.CallExpression;
      ctx.edit.insertAtBodyStart(site, call.arguments[1]!, ctx.hookCall("closeObserved", "socket", String(site.data.param0), String(site.data.param1)));
    }
    for (const site of ctx.matches("set-client")) {
      const fn = site.node.type === "ObjectProperty" ? (site.node as t.ObjectProperty).value : (site.node as t.VariableDeclarator).init!;
      ctx.edit.insertAtBodyStart(site, fn, ctx.hookCall("clientAuthenticated", "socket", String(site.data.clientName)));
    }
    for (const site of ctx.matches("error-handler")) {
      const call = site.node as t.CallExpression;
      ctx.edit.insertAtBodyStart(site, call.arguments[1]!, ctx.hookCall("errorObserved", "socket", String(site.data.param0)));
    }
  },
});
