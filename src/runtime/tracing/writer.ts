import { neverThrows } from "../callback-safety.js";
import type { RuntimeEvent } from "./events.js";
import { appendTraceText, appendTraceTextSync } from "./file.js";
import { monotonicNow, startTimeout } from "../timers.js";
import { WARNING_CODES, describeError, warnOnce } from "../warnings.js";

/** Turns one buffered event into its line, newline included. */
export type LineFormatter = (event: RuntimeEvent, time: number) => string;

/**
 * Events waiting for the disk; beyond this they are dropped and counted, so a slow or dead disk
 * never grows the gateway's heap. About 1–2 MiB of events and, at flush, of text.
 */
const MAX_PENDING_LINES = 8_192;
/** What an exit handler may write synchronously: exit must stay quick even with a full buffer. */
const MAX_EXIT_FLUSH_CHARS = 256 * 1024;
const FIRST_RETRY_MS = 1_000;
/**
 * At most one append per this interval: a flush per event-loop turn cost a file open, stat, write
 * and close per few events, about a quarter of the gateway's CPU per connection under churn; at
 * 250 ms the appends were still a third of what lifecycle tracing cost per connection in a slow
 * gateway (counted under callgrind). A line after a quiet spell is still written at once, and an
 * orderly exit writes what is buffered, so only a killed gateway loses up to a second of lines.
 */
const MIN_FLUSH_INTERVAL_MS = 1_000;
const MAX_RETRY_MS = 60_000;

/**
 * Appends events to the trace file without blocking the event loop: events are buffered as they
 * are and written by one asynchronous append at a time, batching whatever accumulated meanwhile. A
 * failing disk never reaches the gateway: the batch is dropped and counted, one warning is emitted,
 * and the next attempt waits for a growing back-off.
 *
 * Events are formatted at the flush, not when they happen. Between two connections the gateway
 * runs about a millisecond of its own code, which leaves the serialiser and the scrubber's regular
 * expressions cold: formatted one at a time, a line cost the gateway 3–4 µs, several times what the
 * same line costs in a batch (measured in the gateway with per-function timers). A second's events
 * take a few milliseconds to format, in one turn.
 */
export class TraceFileWriter {
  /** Parallel arrays, so buffering an event allocates nothing of its own. */
  private pendingEvents: RuntimeEvent[] = [];
  private pendingTimes: number[] = [];
  private writing = false;
  private flushQueued: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  droppedLines = 0;
  failedWrites = 0;

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
    private readonly formatLine: LineFormatter,
  ) {}

  /**
   * The event must not change after this call: it is read again at the flush. A `kept` event is
   * buffered even over the cap: the periodic summary, which reports the drop count, must not be
   * dropped itself. It is one event per summary interval, so the bound holds.
   */
  write(event: RuntimeEvent, time: number, kept = false): void {
    if (this.stopped) return;
    if (!kept && this.pendingEvents.length >= MAX_PENDING_LINES) {
      this.droppedLines += 1;
      return;
    }
    this.pendingEvents.push(event);
    this.pendingTimes.push(time);
    this.queueFlush();
  }

  /**
   * Resolves once nothing is buffered or being written (tests and orderly shutdown). Someone waits
   * for the disk, so a delayed flush runs now rather than at the end of its interval.
   */
  idle(): Promise<void> {
    if (!this.writing && this.pendingEvents.length === 0) return Promise.resolve();
    const waiting = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.flushQueued !== undefined) {
      // Queued again, now with a waiter: queueFlush then flushes at once and keeps the process alive.
      clearTimeout(this.flushQueued);
      this.flushQueued = undefined;
      this.queueFlush();
    }
    return waiting;
  }

  /**
   * For exit handlers, which may only run synchronous code: writes what is buffered, up to a bound.
   * A batch already handed to an asynchronous write is left to it rather than risk writing it twice.
   */
  flushSync(): void {
    if (this.pendingEvents.length === 0) return;
    const batch = this.formatPending(MAX_EXIT_FLUSH_CHARS);
    try {
      appendTraceTextSync(this.file, batch.text, this.maxBytes);
    } catch (error) {
      this.recordFailure(error, batch.lines);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.flushQueued !== undefined) clearTimeout(this.flushQueued);
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.flushQueued = undefined;
    this.retryTimer = undefined;
    this.notifyIdle();
  }

  private queueFlush(): void {
    if (this.writing || this.flushQueued !== undefined || this.retryTimer !== undefined) return;
    const awaited = this.idleWaiters.length > 0;
    this.flushQueued = startTimeout(
      neverThrows("trace flush", () => {
        this.flushQueued = undefined;
        void this.flush();
      }),
      awaited ? 0 : Math.max(0, this.lastFlushAt + MIN_FLUSH_INTERVAL_MS - monotonicNow()),
    );
    // Someone waits for the disk: the flush must keep the process alive until it ran.
    if (awaited) this.flushQueued.ref();
  }

  private async flush(): Promise<void> {
    if (this.writing || this.stopped) return;
    this.writing = true;
    this.lastFlushAt = monotonicNow();
    try {
      // One append per flush: lines that arrive meanwhile wait for the next interval, which is what
      // bounds the number of file operations under load.
      if (this.pendingEvents.length > 0) {
        const batch = this.formatPending(Number.POSITIVE_INFINITY);
        try {
          await appendTraceText(this.file, batch.text, this.maxBytes);
          this.retryMs = FIRST_RETRY_MS;
        } catch (error) {
          this.recordFailure(error, batch.lines);
          this.scheduleRetry();
        }
      }
    } finally {
      this.writing = false;
      if (this.pendingEvents.length > 0 && this.retryTimer === undefined) this.queueFlush();
      else if (this.pendingEvents.length === 0) this.notifyIdle();
    }
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    this.retryTimer = startTimeout(
      neverThrows("trace retry", () => {
        this.retryTimer = undefined;
        this.queueFlush();
      }),
      this.retryMs,
    );
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    // Waiters must not hang on a disk that keeps failing; what is buffered now is retried later.
    this.notifyIdle();
  }

  private recordFailure(error: unknown, lines: number): void {
    this.failedWrites += 1;
    this.droppedLines += lines;
    warnOnce(
      "trace:write-failed",
      WARNING_CODES.traceWriteFailed,
      `openclaw-patch could not write its trace file ${this.file}; tracing continues in memory and retries, the gateway is unaffected. ${describeError(error)}`,
    );
  }

  /**
   * Formats and empties the buffer. Lines past `maxChars`, and events the formatter cannot turn
   * into a line, are counted as dropped; the formatter's failure never reaches the gateway.
   */
  private formatPending(maxChars: number): { text: string; lines: number } {
    const events = this.pendingEvents;
    const times = this.pendingTimes;
    this.pendingEvents = [];
    this.pendingTimes = [];
    let text = "";
    let lines = 0;
    for (let index = 0; index < events.length; index++) {
      let line: string;
      try {
        line = this.formatLine(events[index]!, times[index]!);
      } catch {
        this.droppedLines += 1;
        continue;
      }
      if (text.length + line.length > maxChars) {
        this.droppedLines += events.length - index;
        break;
      }
      text += line;
      lines += 1;
    }
    return { text, lines };
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
