import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { runProgram } from "../support/cli.js";

/**
 * One operator's machine: a global npm prefix and a HOME of its own, with `node` (and so npm and the
 * tool's `#!/usr/bin/env node` bin) resolving to one given Node binary.
 */
export interface OperatorShell {
  node: string;
  prefix: string;
  home: string;
  env: NodeJS.ProcessEnv;
}

export interface ShellRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  json?: any;
}

const RUN_TIMEOUT_MS = 15 * 60_000;

export async function operatorShell(node: string, dir: string): Promise<OperatorShell> {
  const prefix = path.join(dir, "prefix");
  const home = path.join(dir, "home");
  await fs.mkdir(home, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [path.join(prefix, "bin"), path.dirname(node), process.env.PATH ?? ""].join(path.delimiter),
    HOME: home,
    // `npm i -g` installs into the scratch prefix; the download cache stays the machine's.
    npm_config_prefix: prefix,
    npm_config_cache: process.env.npm_config_cache ?? path.join(os.homedir(), ".npm"),
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
  };
  delete env.OPENCLAW_PATCH_STATE_DIR;
  return { node, prefix, home, env };
}

/** A command as the operator types it: found on PATH, run by a shell-less spawn. */
export async function run(shell: OperatorShell, command: string, args: readonly string[], cwd = shell.home): Promise<ShellRun> {
  const started = performance.now();
  const result = await runProgram(command, args, { cwd, env: shell.env, timeoutMs: RUN_TIMEOUT_MS });
  return { ...result, ms: performance.now() - started };
}
