import type { CommandIO } from "../../src/cli/io.js";
import { ExitError } from "../../src/cli/exit-codes.js";
import { exitCodeFor } from "../../src/cli/error-exit.js";
import { isOcpError } from "../../src/core/diagnostics.js";

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command function in this process, capturing what it prints and the exit code cli.ts would give. */
export async function runCaptured(json: boolean, command: (io: CommandIO) => Promise<void>): Promise<CapturedRun> {
  let stdout = "";
  let stderr = "";
  const io: CommandIO = {
    json,
    out: (text) => void (stdout += text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => void (stderr += text.endsWith("\n") ? text : `${text}\n`),
  };
  try {
    await command(io);
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (error instanceof ExitError) return { code: error.exitCode, stdout, stderr };
    if (isOcpError(error)) return { code: exitCodeFor(error.diagnostic.code), stdout, stderr: `${stderr}${error.diagnostic.code}: ${error.diagnostic.message}\n` };
    throw error;
  }
}
