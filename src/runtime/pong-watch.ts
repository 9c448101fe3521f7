import { neverThrows } from "./callback-safety.js";
import type { StallDetector } from "./stall-detector.js";
import { afterPendingIo, monotonicNow, startTimeout } from "./timers.js";
import { emit, tracingActive, type PingSource } from "./tracing/events.js";
import { TransportIdleWatch } from "./transport-idle.js";
import { WS_OPEN, type WsSocketLike } from "./ws-shapes.js";

export interface PongWatchOptions {
  pongTimeoutMs: number;
  /** For the debug-level ping and pong trace events. */
  connectionId: number;
  stall: StallDetector;
  /** Called once when a ping went unanswered for a whole window; the caller decides what to do. */
  onMissed(source: PingSource, waitedMs: number): void;
}

/**
 * Tracks one socket's open pong window: from a ping (ours or the release's) to any pong.
 *
 * A window has two phases. While the ping is still queued behind unsent data, the peer is judged
 * by transport progress: a slow reader that keeps draining is alive, only one that stops reading
 * for a whole window fails. Once the ping is written, the peer has a full window to answer.
 *
 * Before failing a window, two excuses that are ours and not the peer's are ruled out: an event
 * loop stall during the window (its pong may sit unread), and data that already arrived but was
 * not read yet (the decision waits for one poll phase).
 */
export class PongWatch {
  private windowStartedAt: number | undefined;
  private windowSource: PingSource = "own";
  private windowPing = 0;
  private pingQueued = false;
  private deadline: NodeJS.Timeout | undefined;
  private decision: NodeJS.Immediate | undefined;
  private readonly transportIdle: TransportIdleWatch | undefined;
  private pingCount = 0;
  private ownPingInProgress = false;
  private stopped = false;
  private lastReleasePingAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly socket: WsSocketLike,
    private readonly options: PongWatchOptions,
  ) {
    this.transportIdle = TransportIdleWatch.of(socket, neverThrows("transport idle", () => this.scheduleDecision()));
  }

  get awaitingPong(): boolean {
    return this.windowStartedAt !== undefined;
  }

  /** The release pings on its own schedule; a second ping from us would only double the traffic. */
  releasePingedWithin(periodMs: number): boolean {
    return monotonicNow() - this.lastReleasePingAt < periodMs;
  }

  /** Sends a heartbeat ping through the socket's (wrapped) `ping`, so it is tracked like any other. */
  sendOwnPing(): void {
    if (this.stopped || this.socket.readyState !== WS_OPEN) return;
    this.ownPingInProgress = true;
    try {
      this.socket.ping();
    } finally {
      this.ownPingInProgress = false;
    }
  }

  /** Called from the ping wrapper before the real ping; returns the id its flush callback reports. */
  pingStarted(): number {
    const ping = ++this.pingCount;
    const source: PingSource = this.ownPingInProgress ? "own" : "release";
    if (source === "release") this.lastReleasePingAt = monotonicNow();
    if (tracingActive()) emit({ type: "ping", connectionId: this.options.connectionId, source });
    if (this.stopped || this.windowStartedAt !== undefined) return ping;
    // The oldest unanswered ping sets the window; later pings must not keep pushing it back.
    this.windowSource = source;
    this.windowPing = ping;
    this.pingQueued = true;
    this.startWindow(monotonicNow());
    return ping;
  }

  /** The ping's bytes reached the kernel: the peer's time to answer starts now, not when it was queued. */
  pingFlushed(ping: number): void {
    if (this.stopped || ping !== this.windowPing || !this.pingQueued) return;
    this.pingQueued = false;
    if (this.windowStartedAt !== undefined) this.startWindow(monotonicNow());
  }

  pongReceived(): void {
    if (tracingActive()) this.tracePong();
    this.closeWindow();
  }

  private tracePong(): void {
    const startedAt = this.windowStartedAt;
    const waitedMs = startedAt === undefined ? undefined : Math.round(monotonicNow() - startedAt);
    emit({ type: "pong", connectionId: this.options.connectionId, waitedMs });
  }

  stop(): void {
    this.stopped = true;
    this.closeWindow();
  }

  private startWindow(now: number): void {
    this.windowStartedAt = now;
    this.clearTimers();
    const { pongTimeoutMs } = this.options;
    if (this.pingQueued && this.transportIdle !== undefined) this.transportIdle.start(pongTimeoutMs);
    else this.deadline = startTimeout(neverThrows("pong deadline", () => this.scheduleDecision()), pongTimeoutMs);
  }

  private closeWindow(): void {
    this.windowStartedAt = undefined;
    this.clearTimers();
  }

  private clearTimers(): void {
    this.transportIdle?.stop();
    if (this.deadline !== undefined) clearTimeout(this.deadline);
    if (this.decision !== undefined) clearImmediate(this.decision);
    this.deadline = undefined;
    this.decision = undefined;
  }

  private scheduleDecision(): void {
    if (this.decision !== undefined || this.windowStartedAt === undefined) return;
    this.decision = afterPendingIo(neverThrows("pong decision", () => this.decide()));
  }

  private decide(): void {
    this.decision = undefined;
    const startedAt = this.windowStartedAt;
    if (this.stopped || startedAt === undefined) return;
    const now = monotonicNow();
    if (this.options.stall.stalledSince(startedAt)) {
      this.startWindow(now);
      return;
    }
    const source = this.windowSource;
    this.closeWindow();
    this.options.onMissed(source, Math.round(now - startedAt));
  }
}
