import type { RuntimeEvent } from "./events.js";
import { readProperty } from "../ws-shapes.js";

/**
 * The gateway's client object also carries the connect request's `auth` (token, password, device
 * token) and canvas capabilities. Only these named labels are read; nothing is copied wholesale.
 * They are read as they are, strings only: checking and scrubbing them waits for the line to be
 * written (see line.ts), off the connection's path.
 */
export function authenticatedEvent(connectionId: number | undefined, client: unknown): RuntimeEvent {
  try {
    const connect = readProperty(client, "connect");
    const connectClient = readProperty(connect, "client");
    return {
      type: "authenticated",
      connectionId,
      gatewayConnId: stringOrUndefined(readProperty(client, "connId")),
      role: stringOrUndefined(readProperty(connect, "role")),
      clientId: stringOrUndefined(readProperty(connectClient, "id")),
      clientMode: stringOrUndefined(readProperty(connectClient, "mode")),
      clientVersion: stringOrUndefined(readProperty(connectClient, "version")),
      platform: stringOrUndefined(readProperty(connectClient, "platform")),
    };
  } catch {
    // An object whose getters throw yields no labels; the auth line itself is still worth writing.
    return { type: "authenticated", connectionId };
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
