import type { ResolvedAttach } from "../attach-options.js";
import { callSafely, neverThrows } from "../callback-safety.js";
import { sharedState } from "../shared-state.js";
import { reportStallsOver } from "../stall-detector.js";
import { emit, type RuntimeEvent, type TraceLevel, type TraceSink } from "./events.js";
import { isDebugEvent, traceLineOf } from "./line.js";
import { resolveTraceLevel, resolveTraceSettings, type TraceSettings } from "./settings.js";
import { summaryEvent } from "./summary.js";
import { HealthSampler } from "./health.js";
import { exitEvent, uncaughtEvent } from "./process-end.js";
import { unrecordedEnds } from "./previous-runs.js";
import { TraceFileWriter } from "./writer.js";
import { startInterval } from "../timers.js";

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
  /**
   * Records an attach: queued until the process serves, written at once after. Absent on a tracer an
   * older runtime copy created (it started at its first attach).
   */
  attached?(resolved: ResolvedAttach): void;
  /** Starts writing, at the first server or socket the process serves; later calls do nothing. */
  serving?(): void;
}

declare module "../shared-state.js" {
  interface RuntimeState {
    /** The file tracer of this process, started by the first attach unless tracing is off. */
    tracer: ProcessTracer | undefined;
  }
}

/**
 * Prepares file tracing once per process, on the first attach, and records every attach. Nothing is
 * written, and no sink, timer or exit handler is installed, until the process serves a socket
 * (`tracingServes`): OpenClaw's own CLI commands (`openclaw health`, `gateway call`, …) load the
 * patched chunk too, and their processes must not appear in the gateway's trace as gateways. `off`
 * returns before anything is read or created.
 */
export function startTracing(resolved: ResolvedAttach, env: NodeJS.ProcessEnv): void {
  const state = sharedState();
  if (state.tracer === undefined) {
    const level = resolveTraceLevel(env);
    if (level === "off") return;
    state.tracer = new FileTracer(resolveTraceSettings(env, level));
  }
  state.tracer.attached?.(resolved);
}

/**
 * Called by the gateway callbacks that receive something the gateway serves: a WebSocketServer being guarded,
 * an HTTP server getting its upgrade handler, an accepted socket. Costs one property read once
 * tracing runs (or is off), so it may sit on the per-connection path.
 */
export function tracingServes(): void {
  const tracer = sharedState().tracer;
  if (tracer !== undefined && tracer.serving !== undefined) tracer.serving();
}

class FileTracer implements ProcessTracer {
  readonly level: TraceLevel;
  readonly file: string;
  private readonly writer: TraceFileWriter;
  private readonly pid = process.pid;
  private readonly sink: TraceSink;
  private readonly onExit = neverThrows("trace exit flush", (code: unknown) => {
    emit(exitEvent(code));
    this.flushSync();
  });
  /**
   * A monitor, never an `uncaughtException` handler: it sees the error before Node or the gateway acts
   * on it and changes nothing of what follows (Node's own message, exit code, the gateway's handler).
   */
  private readonly onUncaught = neverThrows("trace uncaught exception", (error: unknown, origin: unknown) => {
    emit(uncaughtEvent(error, origin));
    this.flushSync();
  });
  private summaryTimer: NodeJS.Timeout | undefined;
  private health: HealthSampler | undefined;
  private stopped = false;
  /** Attaches seen before the process served anything; the first one's settings head the trace. */
  private queued: ResolvedAttach[] | undefined = [];

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

  attached(resolved: ResolvedAttach): void {
    if (this.stopped) return;
    if (this.queued !== undefined) this.queued.push(resolved);
    else emit(attachedEvent(resolved));
  }

  serving(): void {
    const queued = this.queued;
    if (queued === undefined || this.stopped) return;
    this.queued = undefined;
    const first = queued[0];
    if (first === undefined) return;
    // Never throws: a tracer that cannot start must not switch off the gateway callback that called it.
    callSafely("trace start", () => {
      this.start(first);
      for (const resolved of queued) emit(attachedEvent(resolved));
    });
  }

  private start(resolved: ResolvedAttach): void {
    const { settings } = this;
    sharedState().traceSinks.add(this.sink);
    // Exit handlers may only run synchronous code; that is the one place the trace writes synchronously.
    process.on("exit", this.onExit);
    process.on("uncaughtExceptionMonitor", this.onUncaught);
    reportStallsOver(settings.stallMs);
    this.health = new HealthSampler();
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
    unrecordedEnds(settings.file).then(
      (ends) => {
        if (!this.stopped) for (const end of ends) emit(end);
      },
      () => undefined,
    );
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
    this.health?.stop();
    process.off("exit", this.onExit);
    process.off("uncaughtExceptionMonitor", this.onUncaught);
    this.flushSync();
    this.writer.stop();
  }

  private emitSummary(): void {
    summaryEvent(this.writer, this.health).then(
      (event) => {
        if (!this.stopped) emit(event);
      },
      () => undefined,
    );
  }
}

function attachedEvent(resolved: ResolvedAttach): RuntimeEvent {
  return { type: "attached", toolVersion: resolved.toolVersion, release: resolved.release, chunk: resolved.chunk, patches: resolved.patches };
}
