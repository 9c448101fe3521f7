import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { codedFailure, reportFailure } from "../cli/report-failure.js";
import { EXIT, ExitError, type ExitCode } from "../cli/exit-codes.js";
import { printJson, processIO, type CommandIO } from "../cli/io.js";
import type { Diagnostic } from "../core/diagnostics.js";
import { parseOptions } from "./shared/option-schema.js";
import { HOOK_OPTIONS } from "./shared/option-tables.js";
import { checkStateDir } from "../core/state-dir.js";
import {
  currentHookContext,
  gatewayPackageRoot,
  hookStatus,
  HOOK_MECHANISMS,
  installHook,
  serviceNode,
  uninstallHook,
  type HookContext,
  type HookMechanism,
  type RepatchTarget,
  type ServiceSelector,
} from "../hook/index.js";
import { installData, renderInstall, renderStatus, renderUninstall, statusData, uninstallData } from "./hook-output.js";

export interface HookCommonOptions {
  json?: boolean;
  stateDir?: string;
  /** Seconds to wait for another openclaw-patch run's lock. */
  wait?: string | number;
}

export interface HookInstallOptions extends HookCommonOptions {
  dir?: string;
  mechanism?: string;
  service?: string;
  profile?: string;
  node?: string;
  yes?: boolean;
  /** false with --no-activate. */
  activate?: boolean;
  force?: boolean;
}

export interface HookUninstallOptions extends HookCommonOptions {
  yes?: boolean;
  force?: boolean;
}

export interface HookStatusOptions extends HookCommonOptions {
  dir?: string;
  service?: string;
  profile?: string;
}

/** Seams for tests and for embedding: everything else comes from the running process. */
export interface HookCommandDeps {
  context?: Partial<HookContext>;
  /** openclaw-patch's own build/src/cli.js; default: the one this file was built beside. */
  cliPath?: string;
  /** The OpenClaw package root for `--dir` (or auto-detection when undefined). */
  resolvePackageRoot?: (dir: string | undefined, selector: ServiceSelector, ctx: HookContext) => Promise<string>;
}

// ---------------------------------------------------------------- install

export async function hookInstallCommand(options: HookInstallOptions, io: CommandIO, deps: HookCommandDeps = {}): Promise<void> {
  await reportingErrors(io, "hook install", async () => {
    const ctx = await contextFor(options, deps);
    const selector = selectorFrom(options);
    const mechanism = mechanismFrom(options.mechanism);
    const packageRoot = await (deps.resolvePackageRoot ?? gatewayPackageRoot)(options.dir, selector, ctx);
    const target: RepatchTarget = {
      nodePath: options.node ?? (await serviceNode(selector, ctx)) ?? process.execPath,
      cliPath: deps.cliPath ?? defaultCliPath(),
      packageRoot,
      stateDir: ctx.stateDir,
    };
    const request = { target, selector, apply: options.yes === true, activate: options.activate !== false, force: options.force === true };
    const result = await installHook(ctx, mechanism === undefined ? request : { ...request, mechanism });
    const data = installData(result, ctx);
    if (io.json) printJson(io, data);
    else renderInstall(io, result, ctx);
    return exitFromDiagnostics(result.diagnostics);
  });
}

// ---------------------------------------------------------------- uninstall

export async function hookUninstallCommand(options: HookUninstallOptions, io: CommandIO, deps: HookCommandDeps = {}): Promise<void> {
  await reportingErrors(io, "hook uninstall", async () => {
    const ctx = await contextFor(options, deps);
    const apply = options.yes === true;
    const result = await uninstallHook(ctx, { force: options.force === true, apply });
    if (io.json) printJson(io, uninstallData(result, apply));
    else renderUninstall(io, result.plan, apply, result.commands, result.diagnostics);
    return exitFromDiagnostics(result.diagnostics);
  });
}

// ---------------------------------------------------------------- status

export async function hookStatusCommand(options: HookStatusOptions, io: CommandIO, deps: HookCommandDeps = {}): Promise<void> {
  await reportingErrors(io, "hook status", async () => {
    const ctx = await contextFor(options, deps);
    const selector = selectorFrom(options);
    const request: { selector: ServiceSelector; target?: RepatchTarget } = { selector };
    if (options.dir !== undefined) {
      const packageRoot = await (deps.resolvePackageRoot ?? gatewayPackageRoot)(options.dir, selector, ctx);
      request.target = { nodePath: process.execPath, cliPath: deps.cliPath ?? defaultCliPath(), packageRoot, stateDir: ctx.stateDir };
    }
    const report = await hookStatus(ctx, request);
    if (io.json) printJson(io, statusData(report));
    else renderStatus(io, report);
    return report.health === "damaged" ? EXIT.failed : EXIT.ok;
  });
}

// ---------------------------------------------------------------- registration

/** Adds `hook install|uninstall|status` to the program. */
export function registerHookCommand(program: Command, deps: HookCommandDeps = {}): Command {
  const hook = program.command("hook").description("the hook that re-applies openclaw-patch before every gateway start (OpenClaw upgrades replace patched files)");
  const common = (cmd: Command): Command =>
    cmd
      .option("--state-dir <path>", "where records and backups live (default: $OPENCLAW_PATCH_STATE_DIR, XDG state dir or ~/.openclaw-patch)")
      .option("--wait <seconds>", "wait this long for another run's lock")
      .option("--json", "print machine-readable JSON");

  common(hook.command("install").description("install the hook; without --yes, only show the plan (files, commands)"))
    .option("--dir <path>", "the openclaw package folder the gateway runs (default: from the gateway service, else auto-detect)")
    .option("--mechanism <name>", `one of ${HOOK_MECHANISMS.join(", ")} (default: chosen for this platform and release)`)
    .option("--service <name>", "the gateway service to hook when several exist (unit, label or file name)")
    .option("--profile <name>", "the OpenClaw profile whose gateway service to hook")
    .option("--node <path>", "the Node binary for the re-patch and, for the wrapper, the gateway (default: the service's, else this one)")
    .option("--yes", "make the changes and run the service commands")
    .option("--no-activate", "write the files but only show the service commands (register, reload)")
    .option("--force", "replace an existing hook even if its files were edited since")
    .action(async (opts: HookInstallOptions) => hookInstallCommand(opts, processIO(Boolean(opts.json)), deps));

  common(hook.command("uninstall").description("restore every changed file byte for byte and remove created ones; without --yes, only show the plan"))
    .option("--yes", "make the changes and run the service commands")
    .option("--force", "go on when files changed since the install: cut out the hook's part, keep the rest")
    .action(async (opts: HookUninstallOptions) => hookUninstallCommand(opts, processIO(Boolean(opts.json)), deps));

  common(hook.command("status").description("whether the hook is installed and still in place"))
    .option("--dir <path>", "the openclaw package folder, to show which hook install would choose")
    .option("--service <name>", "the gateway service (unit, label or file name)")
    .option("--profile <name>", "the OpenClaw profile")
    .action(async (opts: HookStatusOptions) => hookStatusCommand(opts, processIO(Boolean(opts.json)), deps));

  return hook;
}

// ---------------------------------------------------------------- shared

/** The hook keeps its record and wrapper in the state folder: a path that cannot be one is refused first. */
async function contextFor(options: HookCommonOptions, deps: HookCommandDeps): Promise<HookContext> {
  const overrides: Partial<HookContext> = { ...deps.context };
  if (options.stateDir !== undefined) overrides.stateDir = options.stateDir;
  const { wait } = parseOptions(HOOK_OPTIONS, options);
  if (wait !== undefined) overrides.lockWaitMs = wait;
  const ctx = currentHookContext(overrides);
  await checkStateDir(ctx.stateDir);
  return ctx;
}

function selectorFrom(options: { service?: string; profile?: string }): ServiceSelector {
  const selector: ServiceSelector = {};
  if (options.service !== undefined) selector.service = options.service;
  if (options.profile !== undefined) selector.profile = options.profile;
  return selector;
}

function mechanismFrom(value: string | undefined): HookMechanism | undefined {
  const { mechanism } = parseOptions(HOOK_OPTIONS, { mechanism: value });
  return mechanism === "auto" ? undefined : mechanism;
}

/** build/src/commands/hook.js → build/src/cli.js */
function defaultCliPath(): string {
  return fileURLToPath(new URL("../cli.js", import.meta.url));
}

/**
 * Runs a command body, turning every failure into printed diagnostics and an ExitError: the
 * commands never exit the process themselves.
 */
async function reportingErrors(io: CommandIO, command: string, body: () => Promise<ExitCode>): Promise<void> {
  let code: ExitCode;
  try {
    code = await body();
  } catch (error) {
    const coded = codedFailure(error);
    if (coded === undefined) throw error;
    throw new ExitError(reportFailure(io, coded, command), coded.message);
  }
  if (code !== EXIT.ok) throw new ExitError(code);
}

function exitFromDiagnostics(diagnostics: Diagnostic[]): ExitCode {
  return diagnostics.some((d) => d.severity === "error") ? EXIT.failed : EXIT.ok;
}
