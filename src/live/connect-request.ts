/** Gateway protocol 3 is 2026.3.x, 4 is 2026.9.x; each release accepts a range that holds its own. */
const MIN_PROTOCOL = 3;
const MAX_PROTOCOL = 4;

export const CONNECT_REQUEST_ID = "ocp-live-1";

/**
 * The connect request of an operator client with the shared token: that role needs no device
 * identity. "openclaw-probe"/"probe" is the identity OpenClaw's own probes use.
 */
export function connectRequest(token: string, toolVersion: string): unknown {
  return {
    type: "req",
    id: CONNECT_REQUEST_ID,
    method: "connect",
    params: {
      minProtocol: MIN_PROTOCOL,
      maxProtocol: MAX_PROTOCOL,
      client: { id: "openclaw-probe", version: toolVersion, platform: process.platform, mode: "probe" },
      role: "operator",
      scopes: [],
      auth: { token },
    },
  };
}

export type GatewayMessage = { type?: string; event?: string; id?: string; ok?: boolean; error?: unknown };

export function parseGatewayMessage(text: string): GatewayMessage | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as GatewayMessage) : undefined;
  } catch {
    return undefined;
  }
}
