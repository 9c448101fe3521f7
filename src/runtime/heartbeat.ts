import { callSafely } from "./callback-safety.js";
import type { GuardedSocket } from "./guarded-socket.js";
import { pongWatchOf } from "./ping-tracking.js";

/**
 * One heartbeat round over a group (the group's interval runs it: see SocketGroup). A socket with an open pong window is left alone: its deadline
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
