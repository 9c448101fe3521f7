// Loaded into a bench gateway with `--import` (see gateway-churn.ts). On each SIGUSR2 it reads the
// bench's request and either takes the runtime's trace sinks out of its shared state or puts them
// back (`switch`), or writes out what the tracer holds (`flush`). With no sink the runtime behaves
// as with tracing off (no event is built, no line written), so one process can run lifecycle
// tracing and no tracing in alternate segments, and the comparison of the two does not depend on
// which process drew which heap (the process lottery gateway-churn.ts describes).
//
// The tracer formats its lines when it flushes, at most once a second: between the bench's short
// segments that falls while the process waits for its next turn, where no segment would pay for
// it. So the bench asks for a flush after every segment and bills the main thread's CPU for it to
// that segment. The flush is the tracer's synchronous one, so that the CPU measured is its own and
// not the gateway's leftover work from the segment; with its file calls on the main thread and one
// append per segment rather than per second, it costs more than the runtime's own flushes.
// What stays on while switched off: the stall sampler's faster tick and the minutely summary timer.
import { readFileSync, writeFileSync } from "node:fs";
import { runtimeStateOnGlobal } from "../../src/runtime/shared-state.js";
import type { TraceSink } from "../../src/runtime/tracing/events.js";

/** The file the handler writes after each request: `<request count> <lifecycle|off> <flush CPU, µs>`. */
export const TRACE_SWITCH_ACK_ENV = "OCP_BENCH_TRACE_SWITCH_ACK";
export const TRACE_SWITCH_SIGNAL = "SIGUSR2";

export type TraceSwitchCommand = "switch" | "flush";

/** Where the bench writes `<request count> <switch|flush>` before it signals: beside the ack. */
export function traceSwitchRequestFile(ackFile: string): string {
  return `${ackFile}.request`;
}

const ackFile = process.env[TRACE_SWITCH_ACK_ENV];
let parked: TraceSink[] = [];

function switchTracing(): void {
  const sinks = runtimeStateOnGlobal()?.traceSinks;
  if (!(sinks instanceof Set)) return;
  if (parked.length > 0) {
    for (const sink of parked) sinks.add(sink);
    parked = [];
  } else {
    parked = [...sinks];
    sinks.clear();
  }
}

/** The main thread's CPU in µs where Node can tell it apart (22.x+: `process.threadCpuUsage`), else the process's. */
function mainThreadCpuMicros(): number {
  const threadCpuUsage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  const usage = typeof threadCpuUsage === "function" ? threadCpuUsage.call(process) : process.cpuUsage();
  return usage.user + usage.system;
}

/**
 * Formats and appends whatever the tracer holds; returns the main thread's CPU for it. Lines of an
 * append still in flight may land after these: the bench's trace file is not read in order.
 */
function flushTracer(): number {
  const before = mainThreadCpuMicros();
  runtimeStateOnGlobal()?.tracer?.flushSync();
  return mainThreadCpuMicros() - before;
}

function handleRequest(file: string): void {
  const [count, command] = readFileSync(traceSwitchRequestFile(file), "utf8").trim().split(" ");
  let flushMicros = 0;
  if (command === "flush") flushMicros = flushTracer();
  else switchTracing();
  const sinks = runtimeStateOnGlobal()?.traceSinks;
  // No sinks at all on the way back means the tracer never started: the bench reads that as an error.
  writeFileSync(file, `${count} ${sinks instanceof Set && sinks.size > 0 ? "lifecycle" : "off"} ${flushMicros}\n`);
}

if (ackFile !== undefined && ackFile !== "") process.on(TRACE_SWITCH_SIGNAL, () => handleRequest(ackFile));
