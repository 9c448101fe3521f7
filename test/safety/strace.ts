import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { CLI, type CliResult } from "../support/cli.js";

const STRACE = "/usr/bin/strace";
let cachedReason: string | undefined | null = null;

/** Why strace cannot kill a process at a chosen system call here, or undefined when it can. */
export function straceUnavailableReason(): string | undefined {
  if (cachedReason !== null) return cachedReason;
  if (process.platform !== "linux") cachedReason = "strace fault injection is Linux-only";
  else if (!existsSync(STRACE)) cachedReason = `no ${STRACE} (scripts/setup-test-tools.sh installs it)`;
  else {
    // ptrace may be forbidden (a container without CAP_SYS_PTRACE, Yama): try one injection.
    const probe = spawnSync(STRACE, ["-f", "-qq", "-o", "/dev/null", "-e", "inject=all:signal=KILL:when=1", process.execPath, "-e", "0"]);
    cachedReason = probe.signal === "SIGKILL" || probe.status === 137 ? undefined : `strace cannot inject here (${probe.stderr.toString().trim().split("\n")[0] || `exit ${probe.status}`})`;
  }
  return cachedReason;
}

export interface KilledRun extends CliResult {
  /** True when the injected SIGKILL ended the run (the n-th call was reached). */
  killed: boolean;
}

/**
 * Runs the CLI under strace, which kills it with SIGKILL on the n-th call (counted per system call, in
 * every thread) of any of the given system calls, before the call runs.
 */
export function runCliKilledAt(args: readonly string[], syscalls: readonly string[], nth: number, env: Record<string, string | undefined> = {}): Promise<KilledRun> {
  const spec = `inject=${syscalls.join(",")}:signal=KILL:when=${nth}`;
  return new Promise((resolve) => {
    execFile(STRACE, ["-f", "-qq", "-o", "/dev/null", "-e", spec, process.execPath, CLI, ...args], { env: { ...process.env, ...env }, timeout: 5 * 60_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const signal = error && "signal" in error ? error.signal : undefined;
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr, killed: signal === "SIGKILL" || code === 137 });
    });
  });
}
