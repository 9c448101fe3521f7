import type { CommandIO } from "../cli/io.js";
import { printJson } from "../cli/io.js";
import { renderExposition } from "../metrics/exposition.js";
import { gatewayMetrics } from "../metrics/gateway-metrics.js";
import { writeMetricsTextfile } from "../metrics/textfile.js";
import { namedTracePath, readTrace } from "../trace/read-trace.js";
import { summariseTrace } from "../trace/summarise.js";
import { traceInstall } from "../trace/trace-install.js";
import { parseOptions } from "./shared/option-schema.js";
import { METRICS_OPTIONS } from "./shared/option-tables.js";

export interface MetricsCommandOptions {
  textfile?: string;
  install?: string;
  json?: boolean;
}

/**
 * `openclaw-patch metrics [FILE]`: the trace's latest figures and counters in Prometheus's text
 * format, on stdout or (--textfile DIR) as one file for node_exporter's textfile collector.
 */
export async function metricsCommand(file: string | undefined, options: MetricsCommandOptions, io: CommandIO): Promise<void> {
  const tracePath = namedTracePath(file);
  const { textfile, install: installOption } = parseOptions(METRICS_OPTIONS, options);
  const json = options.json ?? io.json;
  const install = installOption ?? traceInstall(tracePath);
  const families = gatewayMetrics(summariseTrace(readTrace(tracePath).records), { install });
  const text = renderExposition(families);
  const written = textfile === undefined ? undefined : await writeMetricsTextfile(textfile, install, text);
  if (json) {
    printJson(io, { command: "metrics", file: tracePath, install, textfile: written, families: families.filter((family) => family.samples.length > 0) });
  } else if (written === undefined) {
    io.out(text);
  } else {
    io.out(`wrote ${written}`);
  }
}
