#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { TOOL_VERSION } from "./core/tool-version.js";
import { EXIT, ExitError } from "./cli/exit-codes.js";
import { processIO } from "./cli/io.js";
import { reportFailure } from "./cli/report-failure.js";
import { CONFIG_OPTIONS } from "./commands/shared/config.js";

/** Commands are loaded on use, so `apply --if-needed` never pays for the parser when nothing changed. */
async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command("openclaw-patch")
    .description("Repairs an installed OpenClaw gateway in place: WebSocket lifecycle fixes, tracing, reversible backups.")
    .version(TOOL_VERSION)
    .exitOverride()
    .showHelpAfterError();
  const common = (cmd: Command) =>
    cmd
      .option("--dir <path>", "the openclaw package folder (or any folder inside it); default: auto-detect")
      .option("--state-dir <path>", "where records and backups live (default: $OPENCLAW_PATCH_STATE_DIR, XDG state dir or ~/.openclaw-patch)")
      .option("--json", "print machine-readable JSON");

  const apply = common(program.command("apply").description("patch the install (a transaction: all or nothing)"))
    .option("--dry-run", "show every edit and write nothing")
    .option("--force", "overwrite files someone else changed since they were patched")
    .option("--if-needed", "post-upgrade hook mode: fast no-change check, patch after an upgrade, never fail (exit 0)")
    .option("--wait <seconds>", "wait this long for another run's lock");
  for (const [flags, description] of CONFIG_OPTIONS) apply.option(flags, description);
  apply.action(async (opts) => (await import("./commands/apply.js")).applyCommand(opts, processIO(Boolean(opts.json))));

  common(program.command("revert").description("restore every original byte and remove added files"))
    .option("--force", "overwrite files that match neither the patched nor the original content")
    .option("--forget", "drop the install record without touching files (after a manual reinstall)")
    .option("--wait <seconds>", "wait this long for another run's lock")
    .action(async (opts) => (await import("./commands/revert.js")).revertCommand(opts, processIO(Boolean(opts.json))));

  common(program.command("verify").description("check the patched install: hashes, markers, parse, node --check, then a self-test of the injected runtime; --live probes the running gateway"))
    .option("--node <path>", "the Node binary that runs the gateway (default: the gateway service's Node, else this one)")
    .option("--no-self-test", "skip the behavioural self-test of the injected runtime")
    .option("--live", "probe the running gateway: time how long it keeps a connection that never answers, against the fixes' bound")
    .option("--port <n>", "with --live: gateway port (default: the service's --port, $OPENCLAW_GATEWAY_PORT, gateway.port in openclaw.json, else 18789)")
    .option("--host <address>", "with --live: loopback address of the gateway (default 127.0.0.1)")
    .option("--token <token>", "with --live: gateway token, to probe an authenticated connection as well as a pre-auth one")
    .option("--heartbeat-ms <ms>", "with --live: heartbeat to expect (default: OPENCLAW_PATCH_HEARTBEAT_MS, else the install record)")
    .option("--pong-timeout-ms <ms>", "with --live: pong timeout to expect (default: OPENCLAW_PATCH_PONG_TIMEOUT_MS, else the install record)")
    .option("--close-grace-ms <ms>", "with --live: close grace to expect (default: OPENCLAW_PATCH_CLOSE_GRACE_MS, else the install record)")
    .option("--handshake-timeout-ms <ms>", "with --live: the gateway's pre-auth handshake timeout (default: OPENCLAW_HANDSHAKE_TIMEOUT_MS, gateway.handshakeTimeoutMs, else the release's default)")
    .action(async (opts) => (await import("./commands/verify.js")).verifyCommand(opts, processIO(Boolean(opts.json))));

  common(program.command("status").description("the install, its state and fixes, and the gateway port's TCP table"))
    .option("--port <n>", "gateway port whose TCP table to show (default: the service's --port, $OPENCLAW_GATEWAY_PORT, gateway.port in openclaw.json, else 18789)")
    .option("--watch [seconds]", "refresh the TCP table every N seconds (default 2) until Ctrl-C")
    .option("--watch-count <n>", "with --watch: stop after N frames")
    .action(async (opts) => (await import("./commands/status.js")).statusCommand(opts, processIO(Boolean(opts.json))));

  program
    .command("trace [file]")
    .description("summarise the gateway's trace: close causes, sockets reclaimed by each fix, stalls, longest-held sockets, timeline")
    .option("--follow", "print events as they come (Ctrl-C to stop)")
    .option("--since <when>", "only events since then: 15m, 2h, 12:30 or a date")
    .option("--json", "print machine-readable JSON")
    .action(async (file: string | undefined, opts) => (await import("./commands/trace.js")).traceCommand(file, opts, processIO(Boolean(opts.json))));

  common(program.command("watch").description("re-apply after every upgrade, for installs without a service to hook (polls the release)"))
    .option("--interval <seconds>", "how often to check", "10")
    .option("--max-checks <n>", "stop after this many checks (default: until interrupted)")
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
