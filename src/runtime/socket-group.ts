import type { FixSelection, RuntimeConfig, ServerKind } from "./contract.js";
import { heartbeatRound } from "./heartbeat.js";
import { neverThrows } from "./hook-safety.js";
import type { GuardedSocket } from "./socket-guard.js";
import { startInterval } from "./timers.js";

/**
 * The guarded sockets of one server (or of one kind, when the chunk never reported its server).
 * The group owns the single heartbeat interval for its members; it runs only while it has members.
 */
export class SocketGroup {
  readonly members = new Set<GuardedSocket>();
  /** Set when the gateway's shutdown starts, so the closes that follow are traced with that cause. */
  shuttingDown = false;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    readonly kind: ServerKind,
    readonly config: RuntimeConfig,
    readonly fixes: FixSelection,
  ) {}

  add(member: GuardedSocket): void {
    this.members.add(member);
    if (!this.fixes.heartbeat || this.heartbeat !== undefined) return;
    const { heartbeatMs } = this.config;
    this.heartbeat = startInterval(neverThrows("heartbeat", () => heartbeatRound(this.members, heartbeatMs)), heartbeatMs);
  }

  remove(member: GuardedSocket): void {
    this.members.delete(member);
    if (this.members.size > 0 || this.heartbeat === undefined) return;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
