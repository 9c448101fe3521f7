import type { FixSelection } from "../runtime/contract.js";
import type { SiteResult } from "./match.js";

/** Facts about the release read from the matched sites; they decide which fixes upstream already has. */
export interface ReleaseFacts {
  /** 2026.8.1+: missed pong terminates the socket (startWebSocketKeepalive). */
  upstreamKeepalive: boolean;
  /** 2026.5.2–7.x: the handler pings every 25 s but never checks the pong. */
  releasePing: boolean;
  /** 2026.9.5+: every close falls back to terminate (closeGatewayTransportWithGrace). */
  upstreamCloseGrace: boolean;
  /** 2026.4.5+: shutdown terminates lingering clients. */
  upstreamBoundedShutdown: boolean;
  /** Up to 2026.7.x the canvas live-reload server is a separate WebSocketServer. */
  separateCanvasServer: boolean;
}

export type FixId = "heartbeat" | "close-grace" | "tcp-keepalive" | "bounded-shutdown" | "http-timeouts" | "lifecycle-trace";

export type FixState = "applied" | "would-apply" | "not-needed" | "failed";

export interface FixReport {
  fix: FixId;
  state: FixState;
  detail: string;
}

export function releaseFacts(results: readonly SiteResult[]): ReleaseFacts {
  const first = (site: string) => results.find((r) => r.site === site)?.matches[0]?.data ?? {};
  const canvas = results.find((r) => r.site === "canvas-wss");
  return {
    upstreamKeepalive: first("connection-handler").upstreamKeepalive === true,
    releasePing: first("connection-handler").releasePing === true,
    upstreamCloseGrace: first("close-helper").upstreamGrace === true,
    upstreamBoundedShutdown: first("shutdown-loop").upstreamBounded === true,
    separateCanvasServer: (canvas?.matches.length ?? 0) > 0,
  };
}

export function fixSelection(facts: ReleaseFacts): FixSelection {
  return {
    heartbeat: !facts.upstreamKeepalive && !facts.releasePing,
    // 2026.8.1+ terminate on a missed pong, but measured on 2026.9.6 a frozen peer stayed past 60 s
    // in some runs and went at 50 s in others; enforcing the pong of upstream's own ping makes that
    // bound ours, and upstream's terminate stays as a second line.
    enforceReleasePing: facts.releasePing || facts.upstreamKeepalive,
    // Upstream's grace (2026.9.5+) covers closes the gateway starts, not a peer's close frame left
    // unanswered at TCP level, which ws still holds for 30 s; so the fix stays on everywhere.
    closeGrace: true,
    tcpKeepAlive: true,
    boundedShutdown: !facts.upstreamBoundedShutdown,
    httpTimeouts: true,
  };
}

/** What each fix does on this release, for status and apply output. */
export function fixReports(facts: ReleaseFacts, applied: boolean, failure?: string): FixReport[] {
  const done = (fix: FixId, detail: string): FixReport =>
    failure !== undefined ? { fix, state: "failed", detail: failure } : { fix, state: applied ? "applied" : "failed", detail: applied ? detail : "not applied" };
  const upstream = (fix: FixId, detail: string): FixReport => ({ fix, state: "not-needed", detail });
  const canvas = facts.separateCanvasServer ? "; canvas live-reload server: ping + pong deadline" : "";
  return [
    facts.upstreamKeepalive
      ? facts.separateCanvasServer
        ? done("heartbeat", "pong deadline enforced on upstream's own keepalive ping; canvas live-reload server: ping + pong deadline")
        : done("heartbeat", "pong deadline enforced on upstream's own 25 s keepalive ping (2026.8.1+ terminate on a missed pong, but not reliably within a minute)")
      : facts.releasePing
        ? done("heartbeat", `pong deadline enforced on the release's own 25 s ping${canvas}`)
        : done("heartbeat", `ping + pong deadline from the upgrade on${canvas}`),
    facts.upstreamCloseGrace
      ? done("close-grace", "closes the peer starts end in terminate() after the grace period (upstream covers the gateway's own closes, 2026.9.5+)")
      : done("close-grace", "every close, started by either side, ends in terminate() after the grace period; errors terminate"),
    done("tcp-keepalive", "TCP keepalive on every upgraded socket"),
    facts.upstreamBoundedShutdown
      ? upstream("bounded-shutdown", "upstream bounds shutdown and terminates lingering clients (2026.4.5+)")
      : done("bounded-shutdown", "lingering clients are terminated after the shutdown grace"),
    done("http-timeouts", "headers deadline on the gateway's HTTP server, and a deadline for connections that never complete a request"),
    done("lifecycle-trace", "connection open/close/error hooks"),
  ];
}
