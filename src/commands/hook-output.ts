import { renderDiagnostic, type CommandIO } from "../cli/io.js";
import type { Diagnostic } from "../core/diagnostics.js";
import {
  repatchDisplay,
  type CommandRun,
  type HookContext,
  type HookStatusReport,
  type InstallPlan,
  type InstallResult,
  type PlannedFile,
  type ShownCommand,
  type UninstallPlan,
  type UninstallResult,
} from "../hook/index.js";

/** What `hook install|uninstall|status` print: the text for people and the --json documents. */

export function installData(result: InstallResult, ctx: HookContext): Record<string, unknown> {
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

export function renderInstall(io: CommandIO, result: InstallResult, ctx: HookContext): void {
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

export function renderUninstall(io: CommandIO, plan: UninstallPlan | undefined, apply: boolean, ran: CommandRun[], diagnostics: Diagnostic[]): void {
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

export function renderStatus(io: CommandIO, report: HookStatusReport): void {
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

export function uninstallData(result: UninstallResult, apply: boolean): Record<string, unknown> {
  const plan = result.plan;
  return {
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
}

export function statusData(report: HookStatusReport): Record<string, unknown> {
  return { command: "hook status", ...report, pendingCommands: report.pendingCommands.map(commandData) };
}
