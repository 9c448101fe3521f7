import fs from "node:fs/promises";
import { diagnostic, OcpError, type Diagnostic } from "../core/diagnostics.js";
import { withLock } from "../core/lock.js";
import { succeeded } from "../core/run-process.js";
import { commandFailure, describeFailure, type CommandRun, type ShownCommand } from "./commands.js";
import { COMMAND_LIMITS, type HookContext } from "./context.js";
import { hookLayout, type HookLayout } from "../core/state-layout.js";
import { editOf } from "./drivers.js";
import { checkFile, type FileState } from "./evaluate.js";
import { writeKeepingMode } from "./files.js";
import { deleteRecord, originalsStore, readRecord, type HookRecord, type RecordedFile } from "./record.js";
import { serviceUsesWrapper } from "./services.js";

export type UndoAction = "restore" | "delete" | "remove-edit" | "leave" | "refuse";

export interface UndoStep {
  path: string;
  role: RecordedFile["role"];
  state: FileState;
  action: UndoAction;
  note: string;
  /** The bytes to write for restore and remove-edit. */
  content?: Buffer;
}

export interface UninstallPlan {
  record: HookRecord;
  steps: UndoStep[];
  /** Run before any file is touched; a failure stops the uninstall. */
  commandsBefore: ShownCommand[];
  /** Run after the files are back. */
  commandsAfter: ShownCommand[];
  conflicts: UndoStep[];
}

export interface UninstallResult {
  /** undefined when no hook is installed. */
  plan: UninstallPlan | undefined;
  commands: CommandRun[];
  diagnostics: Diagnostic[];
}

/**
 * Decides, file by file, how to undo the hook. Without `force` any file changed since the install
 * is refused rather than overwritten; with it, the hook's own edit is cut out of a changed service
 * definition (never the stale original written over newer content), and a rewritten one is left.
 */
export async function planUninstall(ctx: HookContext, record: HookRecord, force: boolean): Promise<UninstallPlan> {
  const layout = hookLayout(ctx.stateDir);
  const steps: UndoStep[] = [];
  for (const file of record.files) steps.push(await undoStep(layout, file, force));
  const writes = steps.some((s) => s.action === "restore" || s.action === "remove-edit" || s.action === "delete");
  const wrapper = record.files.find((f) => f.role === "wrapper");
  const stillRegistered = wrapper !== undefined && record.service !== null && (await serviceUsesWrapper(record.service, wrapper.path));
  return {
    record,
    steps,
    commandsBefore: stillRegistered ? record.uninstallCommands.beforeFiles : [],
    commandsAfter: record.activated && writes ? record.uninstallCommands.afterFiles : [],
    conflicts: steps.filter((s) => s.action === "refuse"),
  };
}

async function undoStep(layout: HookLayout, file: RecordedFile, force: boolean): Promise<UndoStep> {
  const check = await checkFile(file);
  const step = (action: UndoAction, note: string, content?: Buffer): UndoStep =>
    content === undefined
      ? { path: file.path, role: file.role, state: check.state, action, note }
      : { path: file.path, role: file.role, state: check.state, action, note, content };
  const original = file.original === undefined ? undefined : await originalsStore(layout).find(file.original.sha256);
  switch (check.state) {
    case "missing":
      return step("leave", "already gone");
    case "original":
      return step("leave", "already back to its original bytes");
    case "intact":
      if (file.action === "created") return step("delete", "created by the hook");
      if (original !== undefined) return step("restore", "restore the bytes from before the hook", original);
      return force
        ? editRemoval(check.current, file, step, "the saved original is missing")
        : step("refuse", `the saved original (${file.original?.sha256}) is missing from the state folder`);
    case "superseded":
      return force
        ? step("leave", "rewritten since (no hook edit left in it); left as it is")
        : step("refuse", "rewritten since the hook was installed and no longer contains the hook; --force leaves it as it is");
    case "changed":
      if (!force) return step("refuse", "changed since the hook was installed; --force removes the hook's part and keeps the other changes");
      if (file.action === "created") return step("delete", "created by the hook (changed since; removed because of --force)");
      return editRemoval(check.current, file, step, "changed since");
  }
}

function editRemoval(
  current: Buffer | undefined,
  file: RecordedFile,
  step: (action: UndoAction, note: string, content?: Buffer) => UndoStep,
  why: string,
): UndoStep {
  const without = current === undefined ? undefined : editOf(file.role)?.remove(current);
  if (without !== undefined) return step("remove-edit", `${why}: cut the hook's edit out, keep everything else`, without);
  return step("leave", `${why}: the hook's edit cannot be separated from the rest; left as it is`);
}

/** Carries out a plan with no conflicts; the caller holds the lock. */
export async function executeUninstall(ctx: HookContext, plan: UninstallPlan): Promise<UninstallResult & { plan: UninstallPlan }> {
  const diagnostics: Diagnostic[] = [];
  const commands: CommandRun[] = [];
  for (const command of plan.commandsBefore) {
    const outcome = await ctx.runner(command, COMMAND_LIMITS);
    commands.push({ command, outcome });
    if (!succeeded(outcome)) {
      throw new OcpError(
        diagnostic(
          "OCP_HOOK_UNREGISTER_FAILED",
          `\`${command.display}\` failed (${describeFailure(outcome)}); nothing was removed, because the service still starts through the wrapper`,
          `fix the error and run \`${command.display}\` yourself, then \`openclaw-patch hook uninstall --yes\``,
          { command: command.display, stderr: outcome.stderr.trim() },
        ),
      );
    }
  }
  for (const step of plan.steps) {
    if ((step.action === "restore" || step.action === "remove-edit") && step.content !== undefined) await writeKeepingMode(step.path, step.content);
    else if (step.action === "delete") await fs.rm(step.path, { force: true });
  }
  for (const dir of [...plan.record.createdDirs].reverse()) await fs.rmdir(dir).catch(() => undefined);
  for (const command of plan.commandsAfter) {
    const outcome = await ctx.runner(command, COMMAND_LIMITS);
    commands.push({ command, outcome });
    if (!succeeded(outcome)) diagnostics.push(commandFailure(command, outcome));
  }
  const layout = hookLayout(ctx.stateDir);
  await deleteRecord(layout, plan.record);
  await fs.rmdir(layout.dir).catch(() => undefined);
  return { plan, commands, diagnostics };
}

export function conflictError(plan: UninstallPlan): OcpError {
  return new OcpError(
    diagnostic(
      "OCP_HOOK_FILE_CHANGED",
      `${plan.conflicts.length} file(s) changed since the hook was installed: ${plan.conflicts.map((c) => `${c.path} (${c.note})`).join("; ")}`,
      "look at the changes; run `openclaw-patch hook uninstall --yes --force` to remove the hook's part anyway and keep the rest",
      { files: plan.conflicts.map((c) => ({ path: c.path, state: c.state })) },
    ),
  );
}

export interface UninstallRequest {
  force: boolean;
  /** false: only plan; nothing is written and no command runs. */
  apply: boolean;
}

/** `hook uninstall`: under the state-folder lock, undo everything the hook record lists. */
export async function uninstallHook(ctx: HookContext, request: UninstallRequest): Promise<UninstallResult> {
  const layout = hookLayout(ctx.stateDir);
  if (!request.apply) {
    const record = await readRecord(layout);
    return { plan: record === undefined ? undefined : await planUninstall(ctx, record, request.force), commands: [], diagnostics: [] };
  }
  return withLock(ctx.stateDir, "hook uninstall", { waitMs: ctx.lockWaitMs }, async () => {
    const record = await readRecord(layout);
    if (record === undefined) return { plan: undefined, commands: [], diagnostics: [] };
    const plan = await planUninstall(ctx, record, request.force);
    if (plan.conflicts.length > 0) throw conflictError(plan);
    return executeUninstall(ctx, plan);
  });
}
