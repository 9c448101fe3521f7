import { isOcpError, type Diagnostic } from "../core/diagnostics.js";
import { chooseMechanism, type HookChoice } from "./choose.js";
import { type HookContext } from "./context.js";
import { hookLayout } from "../core/state-layout.js";
import { evaluateRecord, type FileState, type HookHealth } from "./evaluate.js";
import { gatherFacts } from "./facts.js";
import type { ShownCommand } from "./commands.js";
import type { HookMechanism } from "./driver.js";
import { readRecord, type RecordedFile } from "./record.js";
import type { RepatchTarget } from "./repatch.js";
import type { ServiceDefinition } from "../locate/service/gateway-services.js";
import type { ServiceSelector } from "./services.js";

export interface HookFileStatus {
  path: string;
  role: RecordedFile["role"];
  action: RecordedFile["action"];
  state: FileState;
}

export interface HookStatusReport {
  installed: boolean;
  health?: HookHealth;
  mechanism?: HookMechanism;
  reason?: string;
  installedAt?: string;
  openclawVersion?: string | null;
  target?: RepatchTarget;
  service?: ServiceDefinition | null;
  files: HookFileStatus[];
  registered?: boolean;
  /** Service-side commands recorded but never run (`--no-activate`). */
  pendingCommands: ShownCommand[];
  diagnostics: Diagnostic[];
  /** What `hook install` would choose now, when the package root is known. */
  recommendation?: HookChoice;
}

/** `hook status`: read-only, so it takes no lock. */
export async function hookStatus(ctx: HookContext, request: { target?: RepatchTarget; selector: ServiceSelector }): Promise<HookStatusReport> {
  const record = await readRecord(hookLayout(ctx.stateDir));
  const report: HookStatusReport = { installed: record !== undefined, files: [], pendingCommands: [], diagnostics: [] };
  if (record !== undefined) {
    const evaluation = await evaluateRecord(record);
    Object.assign(report, {
      health: evaluation.health,
      mechanism: record.mechanism,
      reason: record.reason,
      installedAt: record.installedAt,
      openclawVersion: record.openclawVersion,
      target: record.target,
      service: record.service,
      files: evaluation.checks.map(({ file, state }) => ({ path: file.path, role: file.role, action: file.action, state })),
      pendingCommands: record.activated ? [] : record.activation,
    });
    if (evaluation.registered !== undefined) report.registered = evaluation.registered;
    report.diagnostics.push(...evaluation.diagnostics);
  }
  const target = request.target ?? record?.target;
  if (target !== undefined && (record === undefined || report.health === "lost")) {
    try {
      report.recommendation = chooseMechanism(await gatherFacts(ctx, target, request.selector));
    } catch (error) {
      if (!isOcpError(error)) throw error;
      report.diagnostics.push({ ...error.diagnostic, severity: "warning" });
    }
  }
  return report;
}
