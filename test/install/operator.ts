import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

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
export function run(shell: OperatorShell, command: string, args: readonly string[], cwd = shell.home): Promise<ShellRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    execFile(command, args, { cwd, env: shell.env, timeout: RUN_TIMEOUT_MS, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const ms = performance.now() - started;
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      let json: unknown;
      if (args.includes("--json")) {
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
      }
      resolve({ code, stdout, stderr, ms, json });
    });
  });
}
