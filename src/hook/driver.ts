import { fail } from "../core/diagnostics.js";
import type { ServiceDefinition } from "../locate/service/gateway-services.js";
import type { ShownCommand } from "./commands.js";
import type { HookContext } from "./context.js";
import { readIfExists } from "./files.js";
import type { RepatchTarget } from "./repatch.js";

/** The ways the re-patch hook can be attached to the gateway's start, in the order `--mechanism` lists them. */
export const HOOK_MECHANISMS = ["wrapper", "systemd", "launchd", "schtasks", "none"] as const;

export type HookMechanism = (typeof HOOK_MECHANISMS)[number];

export function isHookMechanism(value: string): value is HookMechanism {
  return (HOOK_MECHANISMS as readonly string[]).includes(value);
}

/**
 * One way of attaching the re-patch to the gateway's start (systemd drop-in, OPENCLAW_WRAPPER, …).
 * Each is one file under mechanisms/, listed in drivers.ts; the install, uninstall and status code
 * ask the driver rather than naming mechanisms.
 */
export interface HookDriver<M extends HookMechanism = HookMechanism> {
  readonly mechanism: M;
  /** Whether it can be used with these facts, and why (not). */
  option(facts: HookFacts): MechanismOption;
  /** The files to write and the commands around them; called only when option() said available. */
  plan(ctx: HookContext, target: RepatchTarget, facts: HookFacts): Promise<DriverPlan>;
  /**
   * For a driver that edits a file OpenClaw owns (a plist, gateway.cmd): how to tell its edit is
   * still there and how to cut it out again. OpenClaw may rewrite such a file, so its state is read
   * from the file, never assumed.
   */
  edit?: ServiceFileEdit;
}

export interface ServiceFileEdit {
  role: FileRole;
  has(content: Buffer): boolean;
  /** The content without the hook's edit; undefined when it carries none. */
  remove(content: Buffer): Buffer | undefined;
}

/** What choosing looks at; gathered by the caller so that choosing itself is a pure function. */
export interface HookFacts {
  platform: NodeJS.Platform;
  openclawVersion: string | null;
  wrapperSupported: boolean;
  /** The gateway service to hook, or null when none is installed. */
  service: ServiceDefinition | null;
  /** OPENCLAW_WRAPPER already in the service definition. */
  serviceWrapper?: string;
  /** Our own wrapper's path: a service already using it is not a foreign wrapper. */
  ownWrapperPath?: string;
}

export interface MechanismOption {
  mechanism: string;
  available: boolean;
  reason: string;
}

export type FileRole = "wrapper" | "exec-wrapper" | "repatch-script" | "systemd-drop-in" | "launchd-plist" | "task-script";

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

export interface DriverPlan {
  files: PlannedFile[];
  /** Service-side commands run after the files are written (with --yes, unless --no-activate). */
  activation: ShownCommand[];
  uninstallCommands: { beforeFiles: ShownCommand[]; afterFiles: ShownCommand[] };
  /** What is left for the operator to do, in order. */
  instructions: string[];
}

export const EXECUTABLE = 0o755;

export function unavailable(mechanism: string, reason: string): MechanismOption {
  return { mechanism, available: false, reason };
}

export function requireService(service: ServiceDefinition | null): ServiceDefinition {
  if (service === null) fail("OCP_HOOK_NO_SERVICE", "no gateway service definition was found", "install it with `openclaw gateway install`, or use `--mechanism none`");
  return service;
}

export async function requireFile(file: string): Promise<Buffer> {
  const content = await readIfExists(file);
  if (content === undefined) fail("OCP_HOOK_SERVICE_MISSING", `${file} disappeared`, "run the hook install again");
  return content;
}

/** A file the hook generates; one already there is kept for uninstall. */
export async function plannedFile(file: string, role: FileRole, text: string, mode: number, summary: string): Promise<PlannedFile> {
  const existing = await readIfExists(file);
  const content = Buffer.from(text, "utf8");
  if (existing === undefined) return { path: file, role, action: "create", content, mode, original: undefined, summary };
  return { path: file, role, action: "modify", content, mode, original: existing, summary: `${summary} (replaces an existing file, kept for uninstall)` };
}

/** A service file the hook edits in place. */
export function modifiedFile(file: string, role: FileRole, original: Buffer, content: Buffer, summary: string): PlannedFile {
  return { path: file, role, action: "modify", content, mode: undefined, original, summary };
}

export function olderRelease(wrapperSupported: boolean): string {
  return wrapperSupported ? "" : " and the release has no wrapper support";
}
