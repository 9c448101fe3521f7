// Loaded into a bench gateway with `--import` (see gateway-churn.ts): each SIGUSR2 takes the
// runtime's trace sinks out of its shared state, or puts them back. With no sink the runtime
// behaves as with tracing off (no event is built, no line written), so one process can run
// lifecycle tracing and no tracing in alternate segments, and the comparison of the two does not
// depend on which process drew which heap (the process lottery gateway-churn.ts describes).
// What stays on while switched off: the stall sampler's faster tick and the minutely summary timer.
import { writeFileSync } from "node:fs";
import { runtimeStateOnGlobal } from "../../src/runtime/shared-state.js";
import type { TraceSink } from "../../src/runtime/trace.js";

/** The file the handler writes after each switch: `<switch count> <lifecycle|off>`. */
export const TRACE_SWITCH_ACK_ENV = "OCP_BENCH_TRACE_SWITCH_ACK";
export const TRACE_SWITCH_SIGNAL = "SIGUSR2";

const ackFile = process.env[TRACE_SWITCH_ACK_ENV];
let parked: TraceSink[] = [];
let switches = 0;

function switchTracing(): void {
  const sinks = runtimeStateOnGlobal()?.traceSinks;
  if (sinks instanceof Set) {
    if (parked.length > 0) {
      for (const sink of parked) sinks.add(sink);
      parked = [];
    } else {
      parked = [...sinks];
      sinks.clear();
    }
  }
  switches += 1;
  // No sinks at all on the way back means the tracer never started: the bench reads that as an error.
  writeFileSync(ackFile!, `${switches} ${sinks instanceof Set && sinks.size > 0 ? "lifecycle" : "off"}\n`);
}

if (ackFile !== undefined && ackFile !== "") process.on(TRACE_SWITCH_SIGNAL, switchTracing);
