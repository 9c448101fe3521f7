import type { PatchDefinition } from "../src/core/patch.js";
import boundShutdown from "./bound-shutdown.js";
import guardCanvasServer from "./guard-canvas-server.js";
import guardGatewayServer from "./guard-gateway-server.js";
import guardUpgrade from "./guard-upgrade.js";
import traceConnection from "./trace-connection.js";

/** The patch set, in the order edits are planned. */
export const PATCHES: readonly PatchDefinition[] = [guardGatewayServer, guardCanvasServer, guardUpgrade, traceConnection, boundShutdown];
