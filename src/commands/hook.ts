import { constants as fsConstants } from "node:fs";
import fs from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { codedFailure, reportFailure } from "../cli/report-failure.js";
import { EXIT, ExitError, type ExitCode } from "../cli/exit-codes.js";
import { printJson, processIO, renderDiagnostic, type CommandIO } from "../cli/io.js";
import { diagnostic, OcpError, type Diagnostic } from "../core/diagnostics.js";
import { parseOptions } from "./shared/option-schema.js";
import { HOOK_OPTIONS } from "./shared/option-tables.js";
import { checkStateDir } from "../core/state-dir.js";
import {
  currentHookContext,
  findHookServices,
  hookStatus,
  HOOK_MECHANISMS,
  installHook,
  nodeInArguments,
  packageRootInArguments,
  repatchDisplay,
  selectService,
  serviceProgramArguments,
  uninstallHook,
  type HookContext,
  type HookMechanism,
  type HookStatusReport,
  type InstallPlan,
  type InstallResult,
  type PlannedFile,
  type RepatchTarget,
  type ServiceSelector,
  type ShownCommand,
  type CommandRun,
  type UninstallPlan,
} from "../hook/index.js";

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
    const packageRoot = await (deps.resolvePackageRoot ?? defaultPackageRoot)(options.dir, selector, ctx);
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

function installData(result: InstallResult, ctx: HookContext): Record<string, unknown> {
  const plan = result.plan;
  return {
    command: "hook install",
    outcome: result.outcome,
    applied: result.outcome !== "planned",
    ...(plan === undefined ? { installed: result.existing === undefined ? undefined : recordSummary(result.existing) } : planData(plan, ctx)),
    ...(result.replaces === undefined
      ? {}
      : { replaces: { mechanism: result.replaces.record.mechanism, health: result.replaces.health, steps: undoSteps(result.replaces.uninstall) } }),
    ran: result.commands.map(runData),
    pendingCommands: result.pendingCommands.map(commandData),
    diagnostics: result.diagnostics,
  };
}

function planData(plan: InstallPlan, ctx: HookContext): Record<string, unknown> {
  return {
    mechanism: plan.choice.mechanism,
    reason: plan.choice.reason,
    alternatives: plan.choice.alternatives,
    openclawVersion: plan.openclawVersion,
    service: plan.service,
    target: plan.target,
    repatchCommand: repatchDisplay(plan.target, ctx.host.platform),
    files: plan.files.map(fileData),
    commands: plan.activation.map(commandData),
    instructions: plan.instructions,
  };
}

function renderInstall(io: CommandIO, result: InstallResult, ctx: HookContext): void {
  if (result.plan === undefined) {
    const existing = result.existing;
    const what = result.outcome === "activated" ? "ran the service commands of the installed hook" : "already installed; nothing to do";
    io.out(`openclaw-patch hook: ${what} (${existing?.mechanism ?? "?"}, installed ${existing?.installedAt ?? "?"})`);
    for (const run of result.commands) io.out(`  ran: ${run.command.display} -> ${run.outcome.startError ?? `exit ${run.outcome.code}`}`);
    renderPending(io, result.pendingCommands);
    renderDiagnostics(io, result.diagnostics);
    return;
  }
  const plan = result.plan;
  const heading =
    result.outcome === "planned" ? "openclaw-patch hook install: plan (nothing changed; add --yes to apply)" : `openclaw-patch hook install: ${result.outcome}`;
  io.out(heading);
  if (result.replaces !== undefined) {
    io.out(`replaces the existing ${result.replaces.record.mechanism} hook (${result.replaces.health}):`);
    for (const line of renderUndoSteps(result.replaces.uninstall)) io.out(line);
  }
  io.out(`mechanism: ${plan.choice.mechanism}`);
  io.out(`  why: ${plan.choice.reason}`);
  io.out("  alternatives:");
  for (const option of plan.choice.alternatives) io.out(`    - ${option.mechanism}: ${option.available ? "" : "not available: "}${option.reason}`);
  io.out(`OpenClaw: ${plan.openclawVersion ?? "version unknown"} at ${plan.target.packageRoot}`);
  if (plan.service !== null) io.out(`service: ${plan.service.path}`);
  io.out(`re-patch command: ${repatchDisplay(plan.target, ctx.host.platform)}`);
  io.out("files:");
  for (const file of plan.files) {
    io.out(`  ${file.action} ${file.path}`);
    io.out(`    ${file.summary}`);
    for (const line of previewLines(file)) io.out(`    ${line}`);
  }
  if (plan.activation.length > 0) {
    io.out(result.outcome === "planned" ? "commands (run with --yes):" : "commands:");
    for (const command of plan.activation) io.out(`  ${command.display}\n    ${command.purpose}`);
  }
  for (const run of result.commands) io.out(`  ran: ${run.command.display} -> ${run.outcome.startError ?? `exit ${run.outcome.code}`}`);
  renderPending(io, result.pendingCommands);
  if (plan.instructions.length > 0) {
    io.out("next:");
    for (const line of plan.instructions) io.out(`  - ${line}`);
  }
  renderDiagnostics(io, result.diagnostics);
}

/**
 * Created files that are short enough are shown whole; for a changed service file, only the bytes
 * the hook inserts (the edit is always one contiguous insertion).
 */
function previewLines(file: PlannedFile): string[] {
  if (file.role === "systemd-drop-in") return file.content.toString("utf8").trimEnd().split("\n").map((l) => `| ${l}`);
  if (file.action !== "modify" || file.original === undefined || file.role === "wrapper" || file.role === "exec-wrapper" || file.role === "repatch-script") return [];
  const inserted = insertedText(file.original, file.content);
  return inserted
    .replace(/\r/g, "")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => `+ ${l}`);
}

function insertedText(before: Buffer, after: Buffer): string {
  const length = after.length - before.length;
  if (length <= 0) return "";
  let start = 0;
  while (start < before.length && before[start] === after[start]) start++;
  // An insertion can be shifted along repeated bytes; shift it back to a line start so it reads whole.
  for (let step = 0; step < 4096 && start > 0 && after[start - 1] !== 0x0a && after[start - 1] === after[start - 1 + length]; step++) start--;
  return after.subarray(start, start + length).toString("utf8");
}

function renderPending(io: CommandIO, pending: ShownCommand[]): void {
  if (pending.length === 0) return;
  io.out("still to run (not run because of --no-activate):");
  for (const command of pending) io.out(`  ${command.display}\n    ${command.purpose}`);
}

// ---------------------------------------------------------------- uninstall

export async function hookUninstallCommand(options: HookUninstallOptions, io: CommandIO, deps: HookCommandDeps = {}): Promise<void> {
  await reportingErrors(io, "hook uninstall", async () => {
    const ctx = await contextFor(options, deps);
    const apply = options.yes === true;
    const result = await uninstallHook(ctx, { force: options.force === true, apply });
    const plan = result.plan;
    const data = {
      command: "hook uninstall",
      outcome: plan === undefined ? "not-installed" : apply ? "uninstalled" : "planned",
      applied: apply && plan !== undefined,
      ...(plan === undefined
        ? {}
        : {
            mechanism: plan.record.mechanism,
            steps: undoSteps(plan),
            commands: [...plan.commandsBefore, ...plan.commandsAfter].map(commandData),
            conflicts: plan.conflicts.map((c) => ({ path: c.path, state: c.state, note: c.note })),
          }),
      ran: result.commands.map(runData),
      diagnostics: result.diagnostics,
    };
    if (io.json) printJson(io, data);
    else renderUninstall(io, plan, apply, result.commands, result.diagnostics);
    return exitFromDiagnostics(result.diagnostics);
  });
}

function renderUninstall(io: CommandIO, plan: UninstallPlan | undefined, apply: boolean, ran: CommandRun[], diagnostics: Diagnostic[]): void {
  if (plan === undefined) {
    io.out("openclaw-patch hook: not installed; nothing to do");
    return;
  }
  io.out(
    apply
      ? `openclaw-patch hook uninstall: removed the ${plan.record.mechanism} hook`
      : `openclaw-patch hook uninstall: plan for the ${plan.record.mechanism} hook (nothing changed; add --yes to apply)`,
  );
  for (const line of renderUndoSteps(plan)) io.out(line);
  const commands = [...plan.commandsBefore, ...plan.commandsAfter];
  if (commands.length > 0) {
    io.out(apply ? "commands:" : "commands (run with --yes):");
    for (const command of commands) io.out(`  ${command.display}\n    ${command.purpose}`);
  }
  for (const run of ran) io.out(`  ran: ${run.command.display} -> ${run.outcome.startError ?? `exit ${run.outcome.code}`}`);
  if (!apply && plan.conflicts.length > 0) {
    io.out(`refused without --force: ${plan.conflicts.length} file(s) changed since the hook was installed`);
  }
  renderDiagnostics(io, diagnostics);
}

function undoSteps(plan: UninstallPlan): Array<Record<string, unknown>> {
  return plan.steps.map((s) => ({ path: s.path, role: s.role, state: s.state, action: s.action, note: s.note }));
}

function renderUndoSteps(plan: UninstallPlan): string[] {
  return plan.steps.map((s) => `  ${s.action} ${s.path}\n    ${s.state}: ${s.note}`);
}

// ---------------------------------------------------------------- status

export async function hookStatusCommand(options: HookStatusOptions, io: CommandIO, deps: HookCommandDeps = {}): Promise<void> {
  await reportingErrors(io, "hook status", async () => {
    const ctx = await contextFor(options, deps);
    const selector = selectorFrom(options);
    const request: { selector: ServiceSelector; target?: RepatchTarget } = { selector };
    if (options.dir !== undefined) {
      const packageRoot = await (deps.resolvePackageRoot ?? defaultPackageRoot)(options.dir, selector, ctx);
      request.target = { nodePath: process.execPath, cliPath: deps.cliPath ?? defaultCliPath(), packageRoot, stateDir: ctx.stateDir };
    }
    const report = await hookStatus(ctx, request);
    if (io.json) printJson(io, { command: "hook status", ...report, pendingCommands: report.pendingCommands.map(commandData) });
    else renderStatus(io, report);
    return report.health === "damaged" ? EXIT.failed : EXIT.ok;
  });
}

function renderStatus(io: CommandIO, report: HookStatusReport): void {
  if (!report.installed) io.out("openclaw-patch hook: not installed");
  else {
    io.out(`openclaw-patch hook: ${report.health} (${report.mechanism}, installed ${report.installedAt})`);
    io.out(`  why ${report.mechanism}: ${report.reason}`);
    if (report.service) io.out(`  service: ${report.service.path}`);
    if (report.target) io.out(`  re-patches: ${report.target.packageRoot} (OpenClaw ${report.openclawVersion ?? "?"} at install time)`);
    if (report.registered !== undefined) io.out(`  wrapper registered with the service: ${report.registered ? "yes" : "no"}`);
    io.out("  files:");
    for (const file of report.files) io.out(`    ${file.state.padEnd(10)} ${file.path} (${file.action}, ${file.role})`);
  }
  renderPending(io, report.pendingCommands);
  if (report.recommendation !== undefined) {
    io.out(`\`hook install\` would use: ${report.recommendation.mechanism}`);
    io.out(`  why: ${report.recommendation.reason}`);
  }
  renderDiagnostics(io, report.diagnostics);
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
 * `--dir` as given (checked to be OpenClaw); else the package the gateway service starts, which is
 * the one that must be re-patched; else auto-detection, which must find exactly one install.
 */
async function defaultPackageRoot(dir: string | undefined, selector: ServiceSelector, ctx: HookContext): Promise<string> {
  const { resolvePackageRoot } = await import("../locate/package-root.js");
  if (dir !== undefined) return resolvePackageRoot(dir);
  const argv = await serviceArguments(selector, ctx);
  const fromService = argv === undefined ? undefined : packageRootInArguments(argv, ctx.host.platform);
  if (fromService !== undefined) {
    const root = await resolvePackageRoot(fromService).catch(() => undefined);
    if (root !== undefined) return root;
  }
  const { findInstalls } = await import("../locate/find-installs.js");
  const { installs } = await findInstalls();
  const served = installs.filter((i) => i.service !== undefined);
  const pool = served.length > 0 ? served : installs;
  const only = pool[0];
  if (pool.length === 1 && only !== undefined) return only.root;
  if (pool.length === 0) {
    throw new OcpError(diagnostic("OCP_NO_INSTALL", "no OpenClaw install found", "pass --dir with the folder of the openclaw package the gateway runs"));
  }
  throw new OcpError(
    diagnostic("OCP_SEVERAL_INSTALLS", `${pool.length} OpenClaw installs found`, "pass --dir with the folder of the openclaw package the gateway runs", {
      installs: pool.map((i) => i.root),
    }),
  );
}

async function serviceArguments(selector: ServiceSelector, ctx: HookContext): Promise<string[] | undefined> {
  const service = selectService(await findHookServices(ctx.host), selector);
  return service === null ? undefined : serviceProgramArguments(service, ctx.host);
}

/** The Node the gateway service runs, when it still exists: the wrapper starts the gateway with it. */
async function serviceNode(selector: ServiceSelector, ctx: HookContext): Promise<string | undefined> {
  const argv = await serviceArguments(selector, ctx);
  const node = argv === undefined ? undefined : nodeInArguments(argv, ctx.host.platform);
  if (node === undefined) return undefined;
  return (await fs.access(node, fsConstants.X_OK).then(() => true, () => false)) ? node : undefined;
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

function renderDiagnostics(io: CommandIO, diagnostics: Diagnostic[]): void {
  for (const d of diagnostics) io.err(renderDiagnostic(d));
}

function recordSummary(record: NonNullable<InstallResult["existing"]>): Record<string, unknown> {
  return { mechanism: record.mechanism, installedAt: record.installedAt, files: record.files.map((f) => f.path) };
}

function fileData(file: PlannedFile): Record<string, unknown> {
  const data: Record<string, unknown> = { path: file.path, role: file.role, action: file.action, summary: file.summary };
  if (file.mode !== undefined) data.mode = `0${file.mode.toString(8)}`;
  if (file.role === "systemd-drop-in") data.content = file.content.toString("utf8");
  if (file.action === "modify" && file.original !== undefined && (file.role === "launchd-plist" || file.role === "task-script")) {
    data.inserted = insertedText(file.original, file.content);
  }
  return data;
}

function commandData(command: ShownCommand): Record<string, unknown> {
  return { display: command.display, purpose: command.purpose, argv: command.argv, ...(command.env ? { env: command.env } : {}), onFailure: command.onFailure };
}

function runData(run: CommandRun): Record<string, unknown> {
  return { display: run.command.display, code: run.outcome.code, ...(run.outcome.startError ? { startError: run.outcome.startError } : {}), stderr: run.outcome.stderr.trim() };
}
