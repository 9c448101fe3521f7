import type { NodePath } from "@babel/traverse";
import { enclosingNamedFunction } from "../core/ast.js";

/**
 * The connection lifecycle lives in the connection handler up to 2026.9.4 and in
 * attachGatewayConnection (same chunk) from 2026.9.5.
 */
export const LIFECYCLE_FUNCTIONS = ["attachGatewayWsConnectionHandler", "attachGatewayConnection"] as const;

export function lifecycleScope(path: NodePath): NodePath | undefined {
  return enclosingNamedFunction(path, LIFECYCLE_FUNCTIONS);
}
