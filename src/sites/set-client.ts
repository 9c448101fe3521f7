import { isFunctionNode, paramNames } from "../core/ast.js";
import { check, type SiteSpec } from "../core/site.js";
import { oncePerGatewayChunk } from "./copies.js";
import { lifecycleScope } from "./lifecycle-scope.js";

/**
 * `setClient(next)`: the connection lifecycle's way of accepting an authenticated client, an object
 * property up to 2026.7.x and a const from 2026.8.1.
 */
export const setClientSite: SiteSpec = {
  id: "set-client",
  description: "the lifecycle's setClient(next), called when the connect request is accepted",
  prefilter: ["attachGatewayWsConnectionHandler", "closed before connect conn=", "setClient"],
  expected: oncePerGatewayChunk,
  visitor: (report) => {
    const candidate = (path: Parameters<Parameters<SiteSpec["visitor"]>[0]>[0], name: string | undefined, value: unknown) => {
      if (name !== "setClient" || !isFunctionNode(value as never)) return;
      const fn = value as Parameters<typeof paramNames>[0];
      const names = paramNames(fn);
      report(
        path,
        [
          check("inside the connection lifecycle", lifecycleScope(path) !== undefined),
          check("takes one parameter", names.length === 1 && names[0] !== undefined, `params: ${names.join(", ")}`),
          check("has a block body", fn.body.type === "BlockStatement"),
        ],
        { clientName: names[0] },
      );
    };
    return {
      ObjectProperty(path) {
        const key = path.node.key;
        if (!path.node.computed && key.type === "Identifier") candidate(path, key.name, path.node.value);
      },
      VariableDeclarator(path) {
        const id = path.node.id;
        if (id.type === "Identifier") candidate(path, id.name, path.node.init);
      },
    };
  },
};
