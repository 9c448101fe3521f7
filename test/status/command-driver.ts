#!/usr/bin/env node
// Runs `status` and `verify` with the options this work adds, as the real CLI will once cli.ts
// declares them (the option lines below are the ones handed over for cli.ts). Tests start it as a
// child process, like runCli, so exit codes, stdout and the environment are the operator's.
// Usage: node command-driver.js <status|verify> [options…]
import { Command, CommanderError } from "commander";
import { fileURLToPath } from "node:url";
import { isOcpError } from "../../src/core/diagnostics.js";
import { EXIT, ExitError } from "../../src/cli/exit-codes.js";
import { exitCodeFor } from "../../src/cli/error-exit.js";
import { printJson, processIO, renderDiagnostic } from "../../src/cli/io.js";
import { execFile } from "node:child_process";
import type { CliResult } from "../support/cli.js";

export const COMMAND_DRIVER = fileURLToPath(import.meta.url);

function program(): Command {
  const root = new Command("openclaw-patch").exitOverride();
  const common = (cmd: Command) =>
    cmd
      .option("--dir <path>", "the openclaw package folder")
      .option("--state-dir <path>", "where records and backups live")
      .option("--json", "print machine-readable JSON");
  common(root.command("status"))
    .option("--port <n>", "gateway port whose TCP table to show (default: the service's --port, gateway.port in openclaw.json, else 18789)")
    .option("--watch [seconds]", "refresh the TCP table every N seconds (default 2) until Ctrl-C")
    .option("--watch-count <n>", "with --watch: stop after N frames")
    .action(async (opts) => (await import("../../src/commands/status.js")).statusCommand(opts, processIO(Boolean(opts.json))));
  common(root.command("verify"))
    .option("--node <path>", "the Node binary that runs the gateway (default: the gateway service's Node, else this one)")
    .option("--no-self-test", "skip the behavioural self-test of the injected runtime")
    .option("--live", "probe the running gateway: time how long it keeps a connection that never answers, against the fixes' bound")
    .option("--port <n>", "with --live: gateway port (default: the service's --port, gateway.port in openclaw.json, else 18789)")
    .option("--host <address>", "with --live: loopback address of the gateway (default 127.0.0.1)")
    .option("--token <token>", "with --live: gateway token, to probe an authenticated connection as well as a pre-auth one")
    .option("--heartbeat-ms <ms>", "with --live: heartbeat to expect (default: install record, OPENCLAW_PATCH_HEARTBEAT_MS)")
    .option("--pong-timeout-ms <ms>", "with --live: pong timeout to expect (default: install record, OPENCLAW_PATCH_PONG_TIMEOUT_MS)")
    .option("--close-grace-ms <ms>", "with --live: close grace to expect (default: install record, OPENCLAW_PATCH_CLOSE_GRACE_MS)")
    .option("--handshake-timeout-ms <ms>", "with --live: the gateway's pre-auth handshake timeout (default: OPENCLAW_HANDSHAKE_TIMEOUT_MS, gateway.handshakeTimeoutMs, else the release's default)")
    .action(async (opts) => (await import("../../src/commands/verify.js")).verifyCommand(opts, processIO(Boolean(opts.json))));
  return root;
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const io = processIO(json);
  try {
    await program().parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ExitError) return error.exitCode;
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (isOcpError(error)) {
      if (json) printJson(io, { error: error.diagnostic, diagnostics: [error.diagnostic, ...error.extra] });
      else for (const d of [error.diagnostic, ...error.extra]) io.err(renderDiagnostic(d));
      return exitCodeFor(error.diagnostic.code);
    }
    io.err(`internal error: ${(error as Error)?.stack ?? String(error)}`);
    return EXIT.internal;
  }
}

/** Runs the driver in a child process; the result has the shape runCli gives. */
export function runDriver(args: readonly string[], env: Record<string, string | undefined> = {}, timeoutMs = 5 * 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [COMMAND_DRIVER, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      let json: unknown;
      if (args.includes("--json") && !args.includes("--watch") && !args.includes("--watch-count")) {
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

if (process.argv[1] === COMMAND_DRIVER) process.exitCode = await main(process.argv);
