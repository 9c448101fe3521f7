import { diagnostic, warning, type Diagnostic } from "../core/diagnostics.js";
import { sha256 } from "../core/hash.js";
import { editOf } from "./drivers.js";
import { readIfExists } from "./files.js";
import type { HookRecord, RecordedFile } from "./record.js";
import { HOOK_MARKER } from "./repatch.js";
import { serviceUsesWrapper } from "./services.js";

/**
 * - active: every file as the hook wrote it, and the service-side step done;
 * - not-activated: files in place, but the service-side commands were never run;
 * - lost: something outside openclaw-patch removed the hook (OpenClaw rewrote the plist or
 *   gateway.cmd, deleted the drop-in, dropped the wrapper); the gateway starts without re-patching;
 * - damaged: a hook file was edited, or the registered wrapper is gone (the gateway cannot start).
 */
export type HookHealth = "active" | "not-activated" | "lost" | "damaged";

export interface RecordEvaluation {
  health: HookHealth;
  checks: FileCheck[];
  /** Wrapper hooks only: whether the service definition still starts through our wrapper. */
  registered?: boolean;
  diagnostics: Diagnostic[];
}

export async function evaluateRecord(record: HookRecord): Promise<RecordEvaluation> {
  const checks = await Promise.all(record.files.map((file) => checkFile(file)));
  const diagnostics: Diagnostic[] = [];
  const wrapper = checks.find((c) => c.file.role === "wrapper");
  const registered = wrapper !== undefined && record.service !== null ? await serviceUsesWrapper(record.service, wrapper.file.path) : undefined;

  if (wrapper?.state === "missing" && registered === true) {
    diagnostics.push(
      diagnostic(
        "OCP_HOOK_WRAPPER_MISSING",
        `the gateway service starts through ${wrapper.file.path}, which no longer exists: the gateway cannot start`,
        "run `openclaw-patch hook install --yes` to put it back, or `openclaw-patch hook uninstall --yes` to unregister it",
      ),
    );
  }
  for (const check of checks.filter((c) => c.state === "changed")) {
    diagnostics.push(
      diagnostic("OCP_HOOK_FILE_CHANGED", `${check.file.path} was edited after the hook wrote it`, "look at the change; `openclaw-patch hook uninstall --yes --force` removes the hook's part and keeps the rest"),
    );
  }
  const gone = checks.filter((c) => c.state === "missing" || c.state === "superseded" || c.state === "original");
  for (const check of gone) {
    if (check === wrapper && registered === true) continue;
    diagnostics.push(
      warning(
        "OCP_HOOK_LOST",
        `${check.file.path} no longer carries the hook (${check.state}); the gateway starts without re-patching`,
        "run `openclaw-patch hook install --yes` again (after `openclaw update` this is expected for LaunchAgent and gateway.cmd hooks)",
      ),
    );
  }
  if (wrapper?.state === "intact" && registered === false && record.activated) {
    diagnostics.push(
      warning("OCP_HOOK_LOST", "the gateway service no longer starts through the wrapper (OPENCLAW_WRAPPER was removed)", "run `openclaw-patch hook install --yes` again"),
    );
  }

  const result = (health: HookHealth): RecordEvaluation => (registered === undefined ? { health, checks, diagnostics } : { health, checks, registered, diagnostics });
  if (diagnostics.some((d) => d.severity === "error")) return result("damaged");
  if (diagnostics.length > 0) return result("lost");
  if (!record.activated || registered === false) return result("not-activated");
  return result("active");
}

/**
 * What became of a file the hook wrote:
 * - intact: exactly the bytes the hook wrote;
 * - original: a modified file back to its bytes from before the hook;
 * - missing: deleted;
 * - superseded: a modified file rewritten by someone else without the hook's edit (typically
 *   OpenClaw regenerating the plist or gateway.cmd): nothing of the hook is left in it;
 * - changed: edited since, with the hook's edit (or, for a created file, its content) still there.
 */
export type FileState = "intact" | "original" | "missing" | "superseded" | "changed";

export interface FileCheck {
  file: RecordedFile;
  state: FileState;
  current: Buffer | undefined;
}

export async function checkFile(file: RecordedFile): Promise<FileCheck> {
  const current = await readIfExists(file.path);
  return { file, state: classify(file, current), current };
}

function classify(file: RecordedFile, current: Buffer | undefined): FileState {
  if (current === undefined) return "missing";
  const hash = sha256(current);
  if (hash === file.sha256) return "intact";
  if (file.action === "created") return "changed";
  if (hash === file.original?.sha256) return "original";
  return carriesHook(file, current) ? "changed" : "superseded";
}

export function carriesHook(file: RecordedFile, content: Buffer): boolean {
  const edit = editOf(file.role);
  return edit === undefined ? content.includes(HOOK_MARKER) : edit.has(content);
}
