import { neverThrows } from "./hook-safety.js";
import { appendTraceText, appendTraceTextSync } from "./trace-file.js";
import { monotonicNow, startTimeout } from "./timers.js";
import { WARNING_CODES, describeError, warnOnce } from "./warnings.js";

/**
 * Characters (about bytes: lines are mostly ASCII) waiting for the disk; beyond this lines are
 * dropped and counted, so a slow or dead disk never grows the gateway's heap.
 */
const MAX_PENDING_CHARS = 1024 * 1024;
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
 * Appends lines to the trace file without blocking the event loop: lines are buffered and written
 * by one asynchronous append at a time, batching whatever accumulated meanwhile. A failing disk
 * never reaches the gateway: the batch is dropped and counted, one warning is emitted, and the next
 * attempt waits for a growing back-off.
 */
export class TraceFileWriter {
  private pending: string[] = [];
  private pendingChars = 0;
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
  ) {}

  /**
   * `line` must end with a newline. A `kept` line is buffered even over the cap: the periodic
   * summary, which reports the drop count, must not be dropped itself. It is one line per summary
   * interval, so the bound holds.
   */
  write(line: string, kept = false): void {
    if (this.stopped) return;
    if (!kept && this.pendingChars + line.length > MAX_PENDING_CHARS) {
      this.droppedLines += 1;
      return;
    }
    this.pending.push(line);
    this.pendingChars += line.length;
    this.queueFlush();
  }

  /**
   * Resolves once nothing is buffered or being written (tests and orderly shutdown). Someone waits
   * for the disk, so a delayed flush runs now rather than at the end of its interval.
   */
  idle(): Promise<void> {
    if (!this.writing && this.pending.length === 0) return Promise.resolve();
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
    if (this.pending.length === 0) return;
    let budget = MAX_EXIT_FLUSH_CHARS;
    let taken = 0;
    while (taken < this.pending.length && this.pending[taken]!.length <= budget) {
      budget -= this.pending[taken]!.length;
      taken += 1;
    }
    const text = this.pending.slice(0, taken).join("");
    this.droppedLines += this.pending.length - taken;
    this.clearPending();
    try {
      appendTraceTextSync(this.file, text, this.maxBytes);
    } catch (error) {
      this.recordFailure(error, taken);
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
      if (this.pending.length > 0) {
        const lines = this.pending.length;
        const text = this.pending.join("");
        this.clearPending();
        try {
          await appendTraceText(this.file, text, this.maxBytes);
          this.retryMs = FIRST_RETRY_MS;
        } catch (error) {
          this.recordFailure(error, lines);
          this.scheduleRetry();
        }
      }
    } finally {
      this.writing = false;
      if (this.pending.length > 0 && this.retryTimer === undefined) this.queueFlush();
      else if (this.pending.length === 0) this.notifyIdle();
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

  private clearPending(): void {
    this.pending = [];
    this.pendingChars = 0;
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
