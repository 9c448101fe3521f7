import path from "node:path";
import { fail } from "../core/diagnostics.js";
import { chooseMechanism, type HookChoice, type HookFacts } from "./choose.js";
import type { HookContext } from "./context.js";
import { ownWrapperPath } from "./facts.js";
import { readIfExists } from "./file-store.js";
import { insertPlistHook, launchdReloadCommands, removePlistHook, renderLaunchdScript } from "./launchd.js";
import { hookLayout } from "./layout.js";
import type { HookMechanism } from "./mechanism.js";
import { shQuote } from "./quote.js";
import type { FileRole } from "./record.js";
import { repatchDisplay, type RepatchTarget } from "./repatch.js";
import type { ShownCommand } from "./runner.js";
import { insertCmdHook, removeCmdHook, renderCmdHookLine } from "./schtasks.js";
import type { ServiceDefinition } from "../locate/service/gateway-services.js";
import { daemonReloadCommand, renderSystemdDropIn, systemdDropInPath } from "./systemd.js";
import { renderCmdWrapper, renderPosixRepatchScript, renderPosixWrapper, wrapperFileName, wrapperRegistration } from "./wrapper.js";

export interface PlannedFile {
  path: string;
  role: FileRole;
  /** "modify" also covers a file of ours left from an earlier run: its bytes are kept for uninstall. */
  action: "create" | "modify";
  content: Buffer;
  mode: number | undefined;
  original: Buffer | undefined;
  summary: string;
}

export interface InstallPlan {
  choice: HookChoice;
  target: RepatchTarget;
  openclawVersion: string | null;
  service: ServiceDefinition | null;
  files: PlannedFile[];
  /** Service-side commands run after the files are written (with --yes, unless --no-activate). */
  activation: ShownCommand[];
  uninstallCommands: { beforeFiles: ShownCommand[]; afterFiles: ShownCommand[] };
  /** What is left for the operator to do, in order. */
  instructions: string[];
}

const EXECUTABLE = 0o755;

export async function buildInstallPlan(ctx: HookContext, target: RepatchTarget, facts: HookFacts, requested?: HookMechanism): Promise<InstallPlan> {
  const choice = chooseMechanism(facts, requested);
  const base = { choice, target, openclawVersion: facts.openclawVersion, service: facts.service };
  const platform = ctx.host.platform;
  const hookDir = hookLayout(ctx.stateDir).dir;
  const service = facts.service;
  switch (choice.mechanism) {
    case "wrapper": {
      const wrapperPath = ownWrapperPath(ctx);
      const registration = wrapperRegistration(target, wrapperPath, requireService(service).profile, platform);
      const content = platform === "win32" ? renderCmdWrapper(target, "openclaw") : renderPosixWrapper(target, "openclaw");
      return {
        ...base,
        files: [await plannedFile(wrapperPath, "wrapper", content, EXECUTABLE, "wrapper that re-patches, then starts the gateway")],
        activation: [registration.register],
        uninstallCommands: { beforeFiles: [registration.unregister], afterFiles: [] },
        instructions: [`restart the gateway so that it starts through the wrapper: openclaw${profileFlag(service)} gateway restart`],
      };
    }
    case "systemd": {
      const unit = requireService(service);
      const scriptPath = path.join(hookDir, "repatch.sh");
      const dropInPath = systemdDropInPath(unit);
      return {
        ...base,
        files: [
          await plannedFile(scriptPath, "repatch-script", renderPosixRepatchScript(target), EXECUTABLE, "re-patch script run by ExecStartPre"),
          await plannedFile(dropInPath, "systemd-drop-in", renderSystemdDropIn(scriptPath), 0o644, `drop-in adding ExecStartPre= to ${unit.name}`),
        ],
        activation: [daemonReloadCommand()],
        uninstallCommands: { beforeFiles: [], afterFiles: [daemonReloadCommand()] },
        instructions: [`the re-patch runs at every start of ${unit.name}; to run it now: systemctl --user restart ${unit.name}`],
      };
    }
    // An edit left in the file by a hook whose record is gone is replaced, not stacked; uninstall
    // still restores the bytes as found.
    case "launchd": {
      const plist = requireService(service);
      const original = await requireFile(plist.path);
      const reload = launchdReloadCommands(plist, ctx.host.uid);
      return {
        ...base,
        files: [
          modifiedFile(
            plist.path,
            "launchd-plist",
            original,
            insertPlistHook(removePlistHook(original) ?? original, renderLaunchdScript(target)),
            "prefix ProgramArguments with /bin/sh -c <re-patch; exec the original command>",
          ),
        ],
        activation: reload,
        uninstallCommands: { beforeFiles: [], afterFiles: reload },
        instructions: [`\`openclaw update\` and \`openclaw gateway install --force\` rewrite ${plist.path} and drop the hook: run \`openclaw-patch hook install --yes\` after them`],
      };
    }
    case "schtasks": {
      const script = requireService(service);
      const original = await requireFile(script.path);
      return {
        ...base,
        files: [
          modifiedFile(
            script.path,
            "task-script",
            original,
            insertCmdHook(removeCmdHook(original) ?? original, renderCmdHookLine(target)),
            "insert one re-patch line before the gateway command",
          ),
        ],
        activation: [],
        uninstallCommands: { beforeFiles: [], afterFiles: [] },
        instructions: [
          "the re-patch runs at the next start of the Scheduled Task",
          // cmd.exe reads a batch file by offset, line by line, so a running task sees a shifted file.
          "if the task is running now, cmd.exe re-reads gateway.cmd at its old position when the gateway exits and may print one harmless error; restart the task to start clean",
          `\`openclaw update\` and \`openclaw gateway install --force\` rewrite ${script.path} and drop the hook: run \`openclaw-patch hook install --yes\` after them`,
        ],
      };
    }
    case "none": {
      const execPath = path.join(hookDir, wrapperFileName(platform, "args"));
      const content = platform === "win32" ? renderCmdWrapper(target, "args") : renderPosixWrapper(target, "args");
      const separator = platform === "win32" ? " &" : ";";
      const quotedExec = platform === "win32" ? `"${execPath}"` : shQuote(execPath);
      return {
        ...base,
        files: [await plannedFile(execPath, "exec-wrapper", content, EXECUTABLE, "exec wrapper: re-patches, then runs its arguments as the command")],
        activation: [],
        uninstallCommands: { beforeFiles: [], afterFiles: [] },
        instructions: [
          `put the re-patch in front of the gateway start: ${repatchDisplay(target, platform)}${separator} openclaw gateway …`,
          `or start the gateway through the exec wrapper: ${quotedExec} openclaw gateway …`,
        ],
      };
    }
  }
}

function requireService(service: ServiceDefinition | null): ServiceDefinition {
  if (service === null) fail("OCP_HOOK_NO_SERVICE", "no gateway service definition was found", "install it with `openclaw gateway install`, or use `--mechanism none`");
  return service;
}

async function requireFile(file: string): Promise<Buffer> {
  const content = await readIfExists(file);
  if (content === undefined) fail("OCP_HOOK_SERVICE_MISSING", `${file} disappeared`, "run the hook install again");
  return content;
}

async function plannedFile(file: string, role: FileRole, text: string, mode: number, summary: string): Promise<PlannedFile> {
  const existing = await readIfExists(file);
  const content = Buffer.from(text, "utf8");
  if (existing === undefined) return { path: file, role, action: "create", content, mode, original: undefined, summary };
  return { path: file, role, action: "modify", content, mode, original: existing, summary: `${summary} (replaces an existing file, kept for uninstall)` };
}

function modifiedFile(file: string, role: FileRole, original: Buffer, content: Buffer, summary: string): PlannedFile {
  return { path: file, role, action: "modify", content, mode: undefined, original, summary };
}

function profileFlag(service: ServiceDefinition | null): string {
  return service?.profile ? ` --profile ${shQuote(service.profile)}` : "";
}
