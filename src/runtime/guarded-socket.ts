import type { FixSelection, RuntimeConfig, ServerKind } from "./contract.js";
import { neverThrows } from "./callback-safety.js";
import type { PongWatch } from "./pong-watch.js";
import { sharedState } from "./shared-state.js";
import { monotonicNow, startInterval } from "./timers.js";
import type { CloseInitiator } from "./tracing/events.js";
import type { WsSocketLike } from "./ws-shapes.js";

/**
 * The ground floor of the per-socket fixes: the record the runtime keeps for each socket it guards,
 * and the group it belongs to. The fixes (close-grace.ts, ping-tracking.ts, heartbeat.ts, …) read
 * and update it; socket-guard.ts creates it and installs them.
 */
export interface GuardedSocket {
  readonly connectionId: number;
  readonly kind: ServerKind;
  readonly socket: WsSocketLike;
  readonly config: RuntimeConfig;
  readonly fixes: FixSelection;
  readonly group: SocketGroup;
  /** Whether pings on this socket open pong windows (our heartbeat, or the release's own ping). */
  readonly watchesPongs: boolean;
  /** Created at the socket's first ping: most connections never see one. */
  pongWatch: PongWatch | undefined;
  closeGraceTimer: NodeJS.Timeout | undefined;
  closed: boolean;
  /** Monotonic time of the guard, for the `closed` duration and the summary's ages. */
  readonly openedAt: number;
  /** Who started the close, once known; the first close start wins. */
  closeStartedBy: CloseInitiator | undefined;
  /** Monotonic time the close started (or was first seen in progress). */
  closingSince: number | undefined;
  closeFrameTraced: boolean;
}

declare module "./shared-state.js" {
  interface RuntimeState {
    /** Guarded sockets that have not emitted `close` yet; the trace summary counts them. */
    readonly liveSockets: Set<GuardedSocket>;
  }
}

/** One heartbeat over a group's members (heartbeat.ts); given to the group, which owns the interval. */
export type HeartbeatRound = (members: Iterable<GuardedSocket>, heartbeatMs: number) => void;

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
    private readonly heartbeatRound: HeartbeatRound,
  ) {}

  add(member: GuardedSocket): void {
    this.members.add(member);
    if (!this.fixes.heartbeat || this.heartbeat !== undefined) return;
    const { heartbeatMs } = this.config;
    this.heartbeat = startInterval(neverThrows("heartbeat", () => this.heartbeatRound(this.members, heartbeatMs)), heartbeatMs);
  }

  remove(member: GuardedSocket): void {
    this.members.delete(member);
    if (this.members.size > 0 || this.heartbeat === undefined) return;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

export function guardedSocketOf(socket: unknown): GuardedSocket | undefined {
  if (typeof socket !== "object" || socket === null) return undefined;
  return (socket as Record<symbol, GuardedSocket | undefined>)[sharedState().guardKey];
}

/**
 * The guard lives on the socket under a hidden symbol rather than in a WeakMap: under connection
 * churn the WeakMap's entries (ephemerons) cost the garbage collector about half a percent of the
 * gateway's CPU in a profile. Every guarded socket gains the same property, so ws's sockets keep
 * one hidden class; non-enumerable, so code that copies or lists a socket's keys sees no change.
 * Returns the new record, already counted among the live sockets.
 */
export function attachGuard(socket: WsSocketLike, group: SocketGroup): GuardedSocket {
  const { config, fixes } = group;
  const state = sharedState();
  const guarded: GuardedSocket = {
    connectionId: ++state.nextConnectionId,
    kind: group.kind,
    socket,
    config,
    fixes,
    group,
    watchesPongs: fixes.heartbeat || fixes.enforceReleasePing,
    pongWatch: undefined,
    closeGraceTimer: undefined,
    closed: false,
    openedAt: monotonicNow(),
    closeStartedBy: undefined,
    closingSince: undefined,
    closeFrameTraced: false,
  };
  Object.defineProperty(socket, state.guardKey, { value: guarded, writable: false, enumerable: false, configurable: true });
  state.liveSockets.add(guarded);
  return guarded;
}

/** Ends the record when the socket emitted `close`: timers stop, and the socket leaves its group and the live set. */
export function releaseGuard(guarded: GuardedSocket): boolean {
  if (guarded.closed) return false;
  guarded.closed = true;
  guarded.pongWatch?.stop();
  if (guarded.closeGraceTimer !== undefined) clearTimeout(guarded.closeGraceTimer);
  guarded.closeGraceTimer = undefined;
  guarded.group.remove(guarded);
  sharedState().liveSockets.delete(guarded);
  return true;
}
