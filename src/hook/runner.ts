import { spawn } from "node:child_process";

/** A command the hook runs or asks the operator to run; `display` is what the operator sees. */
export interface ShownCommand {
  argv: string[];
  /** Variables set for this command only; an empty string sets the variable to empty. */
  env?: Record<string, string>;
  display: string;
  purpose: string;
  /** "warning": the hook works without it (e.g. daemon-reload with no user bus). */
  onFailure: "error" | "warning";
}

export interface CommandOutcome {
  /** null when the command could not be started or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** ENOENT, EACCES, … when the program could not be started; "timeout" when it was killed. */
  startError?: string;
}

export type CommandRunner = (command: ShownCommand, timeoutMs: number) => Promise<CommandOutcome>;

const OUTPUT_LIMIT = 64 * 1024;

/** Runs commands without a shell, so arguments reach the program exactly as planned. */
export const spawnRunner: CommandRunner = (command, timeoutMs) =>
  new Promise((resolve) => {
    const [program, ...args] = command.argv;
    if (program === undefined) {
      resolve({ code: null, stdout: "", stderr: "", startError: "EMPTY" });
      return;
    }
    const child = spawn(program, args, {
      env: { ...process.env, ...command.env },
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    let stdout = "";
    let stderr = "";
    let settled = false;
    const finish = (outcome: CommandOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish({ code: null, stdout, stderr, startError: "timeout" });
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      if (stdout.length < OUTPUT_LIMIT) stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < OUTPUT_LIMIT) stderr += chunk.toString("utf8");
    });
    child.on("error", (error: NodeJS.ErrnoException) => finish({ code: null, stdout, stderr, startError: error.code ?? error.message }));
    child.on("close", (code) => finish({ code, stdout, stderr }));
  });

export function succeeded(outcome: CommandOutcome): boolean {
  return outcome.code === 0 && outcome.startError === undefined;
}
