import { pongWatchOf, type GuardedSocket } from "./socket-guard.js";
import { callSafely } from "./hook-safety.js";

/**
 * One heartbeat round over a group. A socket with an open pong window is left alone: its deadline
 * timer decides its fate, and stacking pings would not make a silent peer answer faster.
 */
export function heartbeatRound(members: Iterable<GuardedSocket>, heartbeatMs: number): void {
  for (const member of members) {
    if (member.closed || !member.watchesPongs) continue;
    const watch = member.pongWatch;
    if (watch !== undefined && (watch.awaitingPong || watch.releasePingedWithin(heartbeatMs))) continue;
    // One socket whose ping throws (e.g. a half-torn-down transport) must not starve the others.
    callSafely("heartbeat ping", () => pongWatchOf(member).sendOwnPing());
  }
}
