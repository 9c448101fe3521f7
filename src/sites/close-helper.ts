import { callsIdentifier, isFunctionNode, isNumberValue, paramNames } from "../core/ast.js";
import { check, type SiteSpec } from "../core/site.js";
import { oncePerGatewayChunk } from "./copies.js";
import { lifecycleScope } from "./lifecycle-scope.js";

const CLOSE_HELPER_NAMES = new Set(["close", "closeWithGrace"]);

/** The per-connection `close(code = 1000, reason)` helper every gateway-initiated close goes through. */
export const closeHelperSite: SiteSpec = {
  id: "close-helper",
  description: "the connection's close(code = 1000, reason) helper",
  prefilter: ["attachGatewayWsConnectionHandler", "closed before connect conn="],
  expected: oncePerGatewayChunk,
  visitor: (report) => ({
    VariableDeclarator(path) {
      const { id, init } = path.node;
      if (id.type !== "Identifier" || !CLOSE_HELPER_NAMES.has(id.name) || !isFunctionNode(init)) return;
      const first = init.params[0];
      const defaultsTo1000 = first?.type === "AssignmentPattern" && isNumberValue(first.right, 1000);
      const names = paramNames(init);
      report(
        path,
        [
          check("inside the connection lifecycle", lifecycleScope(path) !== undefined),
          check("first parameter defaults to 1000", defaultsTo1000),
          check("takes (code, reason)", names.length >= 2 && names.slice(0, 2).every(Boolean), `params: ${names.join(", ")}`),
          check("has a block body", init.body.type === "BlockStatement"),
        ],
        {
          helperName: id.name,
          codeName: names[0],
          reasonName: names[1],
          upstreamGrace: callsIdentifier(init, "closeGatewayTransportWithGrace"),
        },
      );
    },
  }),
};
