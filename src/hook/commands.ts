import { diagnostic, warning, type Diagnostic } from "../core/diagnostics.js";
import type { ProcessCommand, ProcessOutcome } from "../core/run-process.js";

/** A command the hook runs or asks the operator to run; `display` is what the operator sees. */
export interface ShownCommand extends ProcessCommand {
  argv: string[];
  display: string;
  purpose: string;
  /** "warning": the hook works without it (e.g. daemon-reload with no user bus). */
  onFailure: "error" | "warning";
}

export interface CommandRun {
  command: ShownCommand;
  outcome: ProcessOutcome;
}

export function describeFailure(outcome: ProcessOutcome): string {
  if (outcome.startError === "ENOENT") return "program not found";
  if (outcome.startError !== undefined) return outcome.startError;
  const detail = outcome.stderr.trim().split("\n").slice(-1)[0];
  return detail ? `exit ${outcome.code}: ${detail}` : `exit ${outcome.code}`;
}

/**
 * The diagnostic for a service-side command that failed. A missing systemctl or an unreachable
 * user bus (containers, SSH sessions without lingering) only delays the drop-in until the user
 * manager next starts, so it is worded as such.
 */
export function commandFailure(command: ShownCommand, outcome: ProcessOutcome): Diagnostic {
  const make = command.onFailure === "warning" ? warning : diagnostic;
  if (command.argv[0] === "systemctl") {
    if (outcome.startError === "ENOENT") {
      return make("OCP_HOOK_SYSTEMCTL_MISSING", "systemctl is not installed, so systemd was not told about the change", `run \`${command.display}\` on the machine that runs the gateway`);
    }
    return make(
      "OCP_HOOK_SYSTEMD_NO_USER_BUS",
      `\`${command.display}\` failed (${describeFailure(outcome)}); systemd picks up the change when the user manager next starts`,
      `run \`${command.display}\` in the gateway user's login session (or enable lingering: \`loginctl enable-linger\`)`,
    );
  }
  return make("OCP_HOOK_COMMAND_FAILED", `\`${command.display}\` failed (${describeFailure(outcome)})`, `run \`${command.display}\` yourself (${command.purpose})`);
}
