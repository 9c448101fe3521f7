#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { TOOL_VERSION } from "./core/tool-version.js";
import { EXIT, ExitError } from "./cli/exit-codes.js";
import { processIO } from "./cli/io.js";
import { reportFailure } from "./cli/report-failure.js";
import { declareOptions, type OptionTable } from "./commands/shared/option-schema.js";
import { APPLY_OPTIONS, METRICS_OPTIONS, REPORT_OPTIONS, REVERT_OPTIONS, STATUS_OPTIONS, TARGET_OPTIONS, TRACE_OPTIONS, VERIFY_OPTIONS, WATCH_OPTIONS } from "./commands/shared/option-tables.js";

/** Commands are loaded on use, so `apply --if-needed` never pays for the parser when nothing changed. */
async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command("openclaw-patch")
    .description("Repairs an installed OpenClaw gateway in place: WebSocket lifecycle fixes, tracing, reversible backups.")
    .version(TOOL_VERSION)
    .exitOverride()
    .showHelpAfterError();
  const common = (cmd: Command, table: OptionTable) => declareOptions(declareOptions(cmd, TARGET_OPTIONS), table);

  common(program.command("apply").description("patch the install (a transaction: all or nothing)"), APPLY_OPTIONS)
    .action(async (opts) => (await import("./commands/apply.js")).applyCommand(opts, processIO(Boolean(opts.json))));

  common(program.command("revert").description("restore every original byte and remove added files"), REVERT_OPTIONS)
    .action(async (opts) => (await import("./commands/revert.js")).revertCommand(opts, processIO(Boolean(opts.json))));

  common(program.command("verify").description("check the patched install: hashes, markers, parse, node --check, then a self-test of the injected runtime; --live probes the running gateway"), VERIFY_OPTIONS)
    .action(async (opts) => (await import("./commands/verify.js")).verifyCommand(opts, processIO(Boolean(opts.json))));

  common(program.command("status").description("the install, its state and fixes, and the gateway port's TCP table"), STATUS_OPTIONS)
    .action(async (opts) => (await import("./commands/status.js")).statusCommand(opts, processIO(Boolean(opts.json))));

  declareOptions(program.command("trace [file]").description("summarise the gateway's trace: close causes, sockets reclaimed by each fix, stalls, longest-held sockets, timeline"), TRACE_OPTIONS)
    .action(async (file: string | undefined, opts) => (await import("./commands/trace.js")).traceCommand(file, opts, processIO(Boolean(opts.json))));

  declareOptions(program.command("metrics [file]").description("the trace's latest figures and counters in Prometheus's text format: sockets, memory, event-loop delay, reclaimed sockets, stalls, restarts"), METRICS_OPTIONS)
    .action(async (file: string | undefined, opts) => (await import("./commands/metrics.js")).metricsCommand(file, opts, processIO(Boolean(opts.json))));

  declareOptions(program.command("report [trace...]").description("chart the gateway's trace in one HTML file that opens offline: sockets, reclaimed sockets, memory, event-loop delay, stalls, restarts"), REPORT_OPTIONS)
    .action(async (traces: string[], opts) => (await import("./commands/report.js")).reportCommand(traces, opts, processIO(Boolean(opts.json))));

  common(program.command("watch").description("re-apply after every upgrade, for installs without a service to hook (polls the release)"), WATCH_OPTIONS)
    .action(async (opts) => (await import("./commands/watch.js")).watchCommand(opts, processIO(Boolean(opts.json))));

  if (argv[2] === "hook") (await import("./commands/hook.js")).registerHookCommand(program);
  else program.command("hook").description("install, remove or inspect the hook that re-applies the patch after every OpenClaw upgrade");

  return program;
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const io = processIO(json);
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ExitError) return error.exitCode;
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return reportFailure(io, error);
  }
}

// A reader that goes away early (`| head`) is not an error of ours.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});

process.exitCode = await main(process.argv);
