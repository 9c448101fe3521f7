import fs from "node:fs/promises";
import path from "node:path";
import { diagnostic, OcpError, type Diagnostic } from "../core/diagnostics.js";
import { sha256 } from "../core/hash.js";
import { withLock } from "../core/lock.js";
import { succeeded } from "../core/run-process.js";
import { commandFailure, describeFailure, type CommandRun, type ShownCommand } from "./commands.js";
import { COMMAND_LIMITS, type HookContext } from "./context.js";
import { hookLayout } from "../core/state-layout.js";
import type { HookMechanism } from "./driver.js";
import { driverFor } from "./drivers.js";
import { evaluateRecord, type HookHealth } from "./evaluate.js";
import { gatherFacts } from "./facts.js";
import { writeKeepingMode } from "./files.js";
import { buildInstallPlan, type InstallPlan } from "./plan.js";
import { originalsStore, readRecord, writeRecord, type HookRecord, type RecordedFile } from "./record.js";
import type { RepatchTarget } from "./repatch.js";
import { serviceUsesWrapper, type ServiceSelector } from "./services.js";
import { conflictError, executeUninstall, planUninstall, type UninstallPlan } from "./uninstall-hook.js";

export interface InstallRequest {
  target: RepatchTarget;
  /** Omitted: chosen from platform, release and installed service. */
  mechanism?: HookMechanism;
  selector: ServiceSelector;
  /** false: only plan (no `--yes`); nothing is written and no command runs. */
  apply: boolean;
  /** false (`--no-activate`): write the files, show the service-side commands instead of running them. */
  activate: boolean;
  /** Replace an existing hook even when its files were edited since. */
  force: boolean;
}

export type InstallOutcome = "planned" | "installed" | "already-installed" | "activated";

export interface InstallResult {
  outcome: InstallOutcome;
  /** The new hook's plan; absent when an up-to-date hook is already installed. */
  plan?: InstallPlan;
  /** The existing hook this install replaces (or would replace), and how it was found. */
  replaces?: { record: HookRecord; health: HookHealth; uninstall: UninstallPlan };
  existing?: HookRecord;
  commands: CommandRun[];
  /** Service-side commands left for the operator (`--no-activate`). */
  pendingCommands: ShownCommand[];
  diagnostics: Diagnostic[];
}

/** Work done under the lock, and what (if anything) is left to activate outside it. */
type Prepared = { done: InstallResult } | { pending: { record: HookRecord; result: InstallResult; fresh: boolean } };

/**
 * `hook install`: plans, or (with apply) writes the hook under the state-folder lock. The
 * service-side commands run between two holds of the lock, not inside one: registering the wrapper
 * or bootstrapping the LaunchAgent starts the gateway, whose re-patch takes the same lock and would
 * otherwise sit out its whole time limit waiting for this install.
 */
export async function installHook(ctx: HookContext, request: InstallRequest): Promise<InstallResult> {
  if (!request.apply) return planOnly(ctx, request);
  const lock = { waitMs: ctx.lockWaitMs };
  const prepared = await withLock(ctx.stateDir, "hook install", lock, () => prepare(ctx, request));
  if ("done" in prepared) return prepared.done;
  const activation = await runActivation(ctx, prepared.pending.record.activation);
  return withLock(ctx.stateDir, "hook install", lock, () => finishActivation(ctx, prepared.pending, activation));
}

async function prepare(ctx: HookContext, request: InstallRequest): Promise<Prepared> {
  const layout = hookLayout(ctx.stateDir);
  const existing = await readRecord(layout);
  let replaces: InstallResult["replaces"];
  if (existing !== undefined) {
    const evaluation = await evaluateRecord(existing);
    if ((evaluation.health === "active" || evaluation.health === "not-activated") && (await isUpToDate(ctx, existing, request))) {
      if (evaluation.health === "active" || !request.activate) {
        const pending = evaluation.health === "active" ? [] : existing.activation;
        return { done: { outcome: "already-installed", existing, commands: [], pendingCommands: pending, diagnostics: [] } };
      }
      return { pending: { record: existing, result: { outcome: "activated", existing, commands: [], pendingCommands: [], diagnostics: [] }, fresh: false } };
    }
    const uninstall = await planUninstall(ctx, existing, request.force || evaluation.health === "lost");
    if (uninstall.conflicts.length > 0) throw replaceRefused(uninstall);
    await executeUninstall(ctx, uninstall);
    replaces = { record: existing, health: evaluation.health, uninstall };
  }
  const facts = await gatherFacts(ctx, request.target, request.selector);
  const plan = await buildInstallPlan(ctx, request.target, facts, request.mechanism);
  const record = await writeHook(ctx, plan);
  const result: InstallResult = { outcome: "installed", plan, commands: [], pendingCommands: [], diagnostics: [] };
  if (replaces !== undefined) result.replaces = replaces;
  if (!request.activate || plan.activation.length === 0) {
    if (plan.activation.length === 0) await writeRecord(layout, { ...record, activated: true });
    return { done: { ...result, pendingCommands: plan.activation } };
  }
  return { pending: { record, result, fresh: true } };
}

async function planOnly(ctx: HookContext, request: InstallRequest): Promise<InstallResult> {
  const existing = await readRecord(hookLayout(ctx.stateDir));
  let replaces: InstallResult["replaces"];
  if (existing !== undefined) {
    const evaluation = await evaluateRecord(existing);
    if ((evaluation.health === "active" || evaluation.health === "not-activated") && (await isUpToDate(ctx, existing, request))) {
      const pending = evaluation.health === "not-activated" ? existing.activation : [];
      return { outcome: "planned", existing, commands: [], pendingCommands: pending, diagnostics: evaluation.diagnostics };
    }
    replaces = { record: existing, health: evaluation.health, uninstall: await planUninstall(ctx, existing, request.force || evaluation.health === "lost") };
  }
  const facts = await gatherFacts(ctx, request.target, request.selector);
  const plan = await buildInstallPlan(ctx, request.target, facts, request.mechanism);
  const result: InstallResult = { outcome: "planned", plan, commands: [], pendingCommands: [], diagnostics: [] };
  if (replaces !== undefined) {
    result.replaces = replaces;
    // A plan only reports; the refusal itself comes with --yes.
    if (replaces.uninstall.conflicts.length > 0) result.diagnostics.push({ ...replaceRefused(replaces.uninstall).diagnostic, severity: "warning" });
  }
  return result;
}

/** Same openclaw-patch, package, service and mechanism, and the generated files still what this version writes. */
async function isUpToDate(ctx: HookContext, existing: HookRecord, request: InstallRequest): Promise<boolean> {
  if (request.mechanism !== undefined && request.mechanism !== existing.mechanism) return false;
  const t = existing.target;
  const r = request.target;
  if (t.nodePath !== r.nodePath || t.cliPath !== r.cliPath || t.packageRoot !== r.packageRoot || t.stateDir !== r.stateDir) return false;
  const facts = await gatherFacts(ctx, request.target, request.selector);
  if ((facts.service?.path ?? null) !== (existing.service?.path ?? null)) return false;
  // An edit in OpenClaw's own file (plist, gateway.cmd) is checked by evaluateRecord; only generated files can go stale.
  if (driverFor(existing.mechanism).edit !== undefined) return true;
  const plan = await buildInstallPlan(ctx, request.target, facts, existing.mechanism).catch(() => undefined);
  if (plan === undefined || plan.files.length !== existing.files.length) return false;
  return plan.files.every((planned, i) => planned.path === existing.files[i]?.path && sha256(planned.content) === existing.files[i]?.sha256);
}

/**
 * The record is written before the first service file changes, so an interrupted install can
 * still be undone.
 */
async function writeHook(ctx: HookContext, plan: InstallPlan): Promise<HookRecord> {
  const layout = hookLayout(ctx.stateDir);
  await fs.mkdir(layout.dir, { recursive: true });
  const files: RecordedFile[] = [];
  for (const planned of plan.files) {
    const entry: RecordedFile = { path: planned.path, role: planned.role, action: planned.action === "create" ? "created" : "modified", sha256: sha256(planned.content) };
    if (planned.original !== undefined) {
      entry.original = { sha256: await originalsStore(layout).put(planned.original), size: planned.original.length };
    }
    files.push(entry);
  }
  const record: HookRecord = {
    schema: 1,
    mechanism: plan.choice.mechanism,
    reason: plan.choice.reason,
    installedAt: ctx.now().toISOString(),
    openclawVersion: plan.openclawVersion,
    target: plan.target,
    service: plan.service,
    files,
    createdDirs: await missingDirs(plan.files.map((f) => path.dirname(f.path)), layout.dir),
    uninstallCommands: plan.uninstallCommands,
    activation: plan.activation,
    activated: false,
  };
  await writeRecord(layout, record);
  for (const dir of record.createdDirs) await fs.mkdir(dir, { recursive: true });
  for (const planned of plan.files) await writeKeepingMode(planned.path, planned.content, planned.mode);
  return record;
}

/**
 * A failed service-side command rolls a fresh install back, unless the service already starts
 * through the wrapper: removing the wrapper then would keep the gateway from starting.
 */
async function finishActivation(
  ctx: HookContext,
  pending: { record: HookRecord; result: InstallResult; fresh: boolean },
  activation: { commands: CommandRun[]; diagnostics: Diagnostic[]; failed?: CommandRun },
): Promise<InstallResult> {
  const layout = hookLayout(ctx.stateDir);
  const { record, fresh } = pending;
  const result: InstallResult = { ...pending.result, commands: activation.commands, diagnostics: [...pending.result.diagnostics, ...activation.diagnostics] };
  const current = await readRecord(layout);
  if (current?.installedAt !== record.installedAt || JSON.stringify(current.files) !== JSON.stringify(record.files)) {
    throw new OcpError(
      diagnostic("OCP_HOOK_CHANGED_MEANWHILE", "another openclaw-patch run changed the hook while its service commands ran", "run `openclaw-patch hook status`, then install again if needed"),
    );
  }
  if (activation.failed !== undefined) {
    if (!fresh) throw activationError(activation.failed, "not-activated");
    const wrapper = record.files.find((f) => f.role === "wrapper");
    const keep = wrapper !== undefined && record.service !== null && (await serviceUsesWrapper(record.service, wrapper.path));
    if (!keep) {
      await executeUninstall(ctx, await planUninstall(ctx, { ...record, activated: record.mechanism === "launchd" }, false));
      throw activationError(activation.failed, "rolled-back");
    }
    result.diagnostics.push(activationError(activation.failed, "kept").diagnostic);
  }
  await writeRecord(layout, { ...record, activated: true });
  return result;
}

async function runActivation(ctx: HookContext, commands: ShownCommand[]): Promise<{ commands: CommandRun[]; diagnostics: Diagnostic[]; failed?: CommandRun }> {
  const runs: CommandRun[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const command of commands) {
    const outcome = await ctx.runner(command, COMMAND_LIMITS);
    const run = { command, outcome };
    runs.push(run);
    if (succeeded(outcome)) continue;
    if (command.onFailure === "error") return { commands: runs, diagnostics, failed: run };
    diagnostics.push(commandFailure(command, outcome));
  }
  return { commands: runs, diagnostics };
}

const AFTER_FAILURE = {
  "rolled-back": "the hook's files were rolled back",
  kept: "the service already starts through the wrapper, so the hook was kept",
  "not-activated": "the hook stays installed but not activated",
};

function activationError({ command, outcome }: CommandRun, after: keyof typeof AFTER_FAILURE): OcpError {
  return new OcpError(
    diagnostic(
      "OCP_HOOK_ACTIVATION_FAILED",
      `\`${command.display}\` failed (${describeFailure(outcome)}); ${AFTER_FAILURE[after]}`,
      `fix the error and run \`openclaw-patch hook install --yes\` again, or install with --no-activate and run \`${command.display}\` yourself`,
      { command: command.display, stderr: outcome.stderr.trim(), stdout: outcome.stdout.trim() },
    ),
  );
}

function replaceRefused(uninstall: UninstallPlan): OcpError {
  const base = conflictError(uninstall).diagnostic;
  return new OcpError({
    ...base,
    message: `an earlier hook (${uninstall.record.mechanism}) must be removed first, but ${base.message}`,
    remedy: "look at the changes; `openclaw-patch hook install --yes --force` replaces the hook anyway, keeping changes that are not the hook's",
  });
}

/** Folders that must be created for `dirs`, outermost first; the hook folder itself is not counted. */
async function missingDirs(dirs: string[], hookDir: string): Promise<string[]> {
  const missing: string[] = [];
  for (const start of new Set(dirs)) {
    let dir = start;
    const chain: string[] = [];
    for (let depth = 0; depth < 64 && dir !== hookDir && !(await exists(dir)); depth++) {
      chain.unshift(dir);
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    for (const d of chain) if (!missing.includes(d)) missing.push(d);
  }
  return missing;
}

async function exists(dir: string): Promise<boolean> {
  return (await fs.stat(dir).catch(() => undefined)) !== undefined;
}
