import type { SiteSpec } from "../core/site.js";
import { oncePerGatewayChunk } from "./copies.js";
import { SOCKET_EVENT_PREFILTER, socketEventVisitor } from "./socket-event-handler.js";

/** `socket.once("close", (code, reason) => …)`: where the gateway learns a connection ended. */
export const closeHandlerSite: SiteSpec = {
  id: "close-handler",
  description: "the connection's once(\"close\") handler",
  prefilter: SOCKET_EVENT_PREFILTER,
  expected: oncePerGatewayChunk,
  visitor: socketEventVisitor("close", 2),
};
