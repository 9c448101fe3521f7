import { isIP } from "node:net";
import { fail } from "../core/diagnostics.js";

export const DEFAULT_LIVE_HOST = "127.0.0.1";

/**
 * The probe deliberately misbehaves toward the gateway, so it only ever talks to this machine's
 * gateway over loopback: 127.0.0.0/8 or ::1 ("localhost" is taken as 127.0.0.1).
 */
export function loopbackHost(raw: string | undefined): string {
  if (raw === undefined) return DEFAULT_LIVE_HOST;
  const host = raw.trim().replace(/^\[(.*)\]$/, "$1");
  if (host.toLowerCase() === "localhost") return DEFAULT_LIVE_HOST;
  if (isIP(host) === 4 && host.startsWith("127.")) return host;
  if (isIP(host) === 6 && /^(?:0*:)*:?0*1$/.test(host)) return host;
  return fail("OCP_BAD_OPTION", `--host must be a loopback address (127.0.0.1, ::1), got ${JSON.stringify(raw)}`, "verify --live probes only the gateway on this machine; run it where the gateway runs");
}
