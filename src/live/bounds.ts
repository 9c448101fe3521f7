import { releaseInRange, type ReleaseVersion } from "../core/release.js";
import type { BoundSettings } from "./bound-settings.js";

/** Who sends the pings that unmask a silent authenticated peer on this release. */
export type PingOwner = "runtime-heartbeat" | "release-ping";

export type ProbeKind = "pre-auth" | "authenticated";

/** The longest a silent peer should survive, and the terms it is the sum (or minimum) of. */
export interface ProbeBound {
  kind: ProbeKind;
  boundMs: number;
  /** e.g. "handshake timeout 10000 ms + close grace 2000 ms". */
  basis: string;
}

/**
 * 2026.5.2+ ping every 25 s themselves; the fix enforces the pong of that ping (2026.8.1+ check it
 * too, but not reliably within a minute, see core/fixes.ts).
 */
const RELEASE_PING_MS = 25_000;

export function pingOwnerFor(release: ReleaseVersion): PingOwner {
  if (releaseInRange(release, { from: "2026.5.2" })) return "release-ping";
  return "runtime-heartbeat";
}

/**
 * A pre-auth peer is closed by the handshake timeout and, since it never answers the close frame,
 * released by the close grace. Where the runtime's own heartbeat runs it covers that peer from the
 * upgrade on, so whichever comes first bounds it. An authenticated peer is only unmasked by a ping
 * it does not answer: ping period + pong window. The close grace is added as the slack a
 * terminate() needs to reach the wire.
 */
export function probeBounds(settings: BoundSettings, owner: PingOwner): Record<ProbeKind, ProbeBound> {
  const grace = settings.closeGraceMs.ms;
  const handshake = settings.handshakeTimeoutMs.ms;
  const heartbeat = settings.heartbeatMs.ms;
  const pong = settings.pongTimeoutMs.ms;
  const authenticated: ProbeBound =
    owner === "runtime-heartbeat"
      ? { kind: "authenticated", boundMs: heartbeat + pong + grace, basis: `heartbeat ${heartbeat} ms + pong timeout ${pong} ms + close grace ${grace} ms` }
      : { kind: "authenticated", boundMs: RELEASE_PING_MS + pong + grace, basis: `the release's own ping every ${RELEASE_PING_MS} ms + pong timeout ${pong} ms + close grace ${grace} ms` };
  const byHandshake = handshake + grace;
  const preAuth: ProbeBound =
    owner === "runtime-heartbeat" && authenticated.boundMs < byHandshake
      ? { kind: "pre-auth", boundMs: authenticated.boundMs, basis: `${authenticated.basis} (the heartbeat covers connections from the upgrade on; the handshake timeout ${handshake} ms + close grace would take ${byHandshake} ms)` }
      : { kind: "pre-auth", boundMs: byHandshake, basis: `handshake timeout ${handshake} ms + close grace ${grace} ms` };
  return { "pre-auth": preAuth, authenticated };
}

/** Timers fire late on a busy host, and the decision waits one poll phase: a little slack. */
export function passToleranceMs(boundMs: number): number {
  return Math.max(1_000, Math.round(boundMs * 0.1));
}

/** How long past the bound to keep watching, so a late drop is measured rather than just missed. */
export function watchMarginMs(boundMs: number): number {
  return Math.max(5_000, Math.round(boundMs * 0.5));
}
