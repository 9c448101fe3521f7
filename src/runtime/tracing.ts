import type { ResolvedAttach } from "./attach-options.js";
import { neverThrows } from "./hook-safety.js";
import { sharedState } from "./shared-state.js";
import { reportStallsOver } from "./stall-detector.js";
import { emit, type TraceLevel, type TraceSink } from "./trace.js";
import { isDebugEvent, traceLineOf } from "./trace-line.js";
import { resolveTraceLevel, resolveTraceSettings, type TraceSettings } from "./trace-settings.js";
import { summaryEvent } from "./trace-summary.js";
import { TraceFileWriter } from "./trace-writer.js";
import { startInterval } from "./timers.js";

/** The process's file tracer, kept on the shared state so a second runtime copy does not start another. */
export interface ProcessTracer {
  readonly level: TraceLevel;
  readonly file: string;
  /** Resolves when every line emitted so far has been written (or dropped). */
  idle(): Promise<void>;
  /** Formats and writes what is buffered, synchronously: for exit handlers, and the gateway bench. */
  flushSync(): void;
  /** Writes what is buffered and detaches; the process keeps running untraced. */
  stop(): void;
}

/**
 * Starts file tracing once per process, on the first attach. `off` returns before anything is
 * read or created: no sink, no timer, no file.
 */
export function startTracing(resolved: ResolvedAttach, env: NodeJS.ProcessEnv): void {
  const state = sharedState();
  if (state.tracer !== undefined) return;
  const level = resolveTraceLevel(env);
  if (level === "off") return;
  const tracer = new FileTracer(resolveTraceSettings(env, level));
  state.tracer = tracer;
  tracer.start(resolved);
}

class FileTracer implements ProcessTracer {
  readonly level: TraceLevel;
  readonly file: string;
  private readonly writer: TraceFileWriter;
  private readonly pid = process.pid;
  private readonly sink: TraceSink;
  private readonly onExit = neverThrows("trace exit flush", () => this.flushSync());
  private summaryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly settings: TraceSettings) {
    this.level = settings.level;
    this.file = settings.file;
    this.writer = new TraceFileWriter(settings.file, settings.maxBytes, (event, time) => `${JSON.stringify(traceLineOf(event, time, this.pid))}\n`);
    this.sink = (event, time) => {
      if (event.type === "stall" && event.blockedMs <= settings.stallMs) return;
      if (this.level !== "debug" && isDebugEvent(event)) return;
      this.writer.write(event, time, event.type === "summary");
    };
  }

  start(resolved: ResolvedAttach): void {
    const { settings } = this;
    sharedState().traceSinks.add(this.sink);
    // Exit handlers may only run synchronous code; that is the one place the trace writes synchronously.
    process.on("exit", this.onExit);
    reportStallsOver(settings.stallMs);
    this.summaryTimer = startInterval(neverThrows("trace summary", () => this.emitSummary()), settings.summaryMs);
    emit({
      type: "started",
      toolVersion: resolved.toolVersion,
      release: resolved.release,
      level: this.level,
      node: process.version,
      fixes: resolved.fixes,
      config: resolved.config,
      trace: { file: settings.file, maxBytes: settings.maxBytes, stallMs: settings.stallMs, summaryMs: settings.summaryMs },
    });
  }

  idle(): Promise<void> {
    return this.writer.idle();
  }

  flushSync(): void {
    this.writer.flushSync();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const state = sharedState();
    state.traceSinks.delete(this.sink);
    if (state.tracer === this) state.tracer = undefined;
    if (this.summaryTimer !== undefined) clearInterval(this.summaryTimer);
    process.off("exit", this.onExit);
    this.flushSync();
    this.writer.stop();
  }

  private emitSummary(): void {
    summaryEvent(this.writer).then(
      (event) => {
        if (!this.stopped) emit(event);
      },
      () => undefined,
    );
  }
}
