import type { SiteSpec } from "../core/site.js";
import { oncePerGatewayChunk } from "./copies.js";
import { SOCKET_EVENT_PREFILTER, socketEventVisitor } from "./socket-event-handler.js";

/** `socket.once("error", (err) => …)`: moved into attachTransport in 2026.9.5, still in the handler function. */
export const errorHandlerSite: SiteSpec = {
  id: "error-handler",
  description: "the connection's once(\"error\") handler",
  prefilter: SOCKET_EVENT_PREFILTER,
  expected: oncePerGatewayChunk,
  visitor: socketEventVisitor("error", 1),
};
