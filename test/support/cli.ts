import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../src/cli.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json?: any;
}

/** Runs the built CLI in a child process, as an operator would. */
export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}, timeoutMs = 5 * 60_000): Promise<CliResult> {
  return runProgram(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeoutMs });
}

/** Runs a program without a shell; with --json among the arguments, stdout is parsed into `json`. */
export function runProgram(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; timeoutMs: number; cwd?: string }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      let json: unknown;
      if (args.includes("--json")) {
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}
