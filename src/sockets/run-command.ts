import { execFile } from "node:child_process";

export interface CommandResult {
  /** null when the command did not exit on its own (killed by the timeout or a signal). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The executable was not found (ENOENT), which callers report differently from a failing run. */
  notFound: boolean;
}

/** Injected so table readers can be tested with recorded output instead of a real netstat. */
export type RunCommand = (command: string, args: readonly string[]) => Promise<CommandResult>;

/** netstat on a busy Windows host can take seconds; a hung one must not hang the CLI. */
const TIMEOUT_MS = 20_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export const runCommand: RunCommand = (command, args) =>
  new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, encoding: "utf8" },
      (error, stdout, stderr) => {
        // execFile puts the exit status in `code` as a number, and a spawn failure's errno there as a string.
        const code = (error as { code?: unknown } | null)?.code;
        resolve({
          exitCode: error ? (typeof code === "number" ? code : null) : 0,
          stdout,
          stderr,
          notFound: code === "ENOENT",
        });
      },
    );
  });
