import type { ClientIdentity } from "./trace.js";
import { scrubbedLabel } from "./trace-scrub.js";
import { readProperty } from "./ws-shapes.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The gateway's client object also carries the connect request's `auth` (token, password, device
 * token) and canvas capabilities. Only these named labels are read; nothing is copied wholesale.
 */
export function clientIdentityOf(client: unknown): ClientIdentity {
  try {
    return readIdentity(client);
  } catch {
    // An object whose getters throw yields no labels; the auth line itself is still worth writing.
    return {};
  }
}

function readIdentity(client: unknown): ClientIdentity {
  const connect = readProperty(client, "connect");
  const connectClient = readProperty(connect, "client");
  const connId = readProperty(client, "connId");
  const identity: ClientIdentity = {};
  if (typeof connId === "string" && UUID.test(connId)) identity.gatewayConnId = connId;
  assignLabel(identity, "role", readProperty(connect, "role"));
  assignLabel(identity, "clientId", readProperty(connectClient, "id"));
  assignLabel(identity, "clientMode", readProperty(connectClient, "mode"));
  assignLabel(identity, "clientVersion", readProperty(connectClient, "version"));
  assignLabel(identity, "platform", readProperty(connectClient, "platform"));
  return identity;
}

function assignLabel(identity: ClientIdentity, key: Exclude<keyof ClientIdentity, "gatewayConnId">, value: unknown): void {
  const label = scrubbedLabel(value);
  if (label !== undefined) identity[key] = label;
}
