import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { diagnostic, type Diagnostic } from "../core/diagnostics.js";
import { RUNTIME_FILE } from "../core/preamble.js";
import type { SelfTestKernelCheckpoint, SelfTestScriptCheck, SelfTestScriptInput, SelfTestScriptOutput } from "./child/protocol.js";
import { defaultSelfTestTableReader, pollKernelEnds, withKernelEvidence, type KernelEvidence, type SelfTestCheck, type SelfTestTableReader } from "./kernel-evidence.js";

/** The self-test program (child/main.ts), bundled by scripts/build-runtime.mjs beside the runtime. */
export const SELF_TEST_PROGRAM = fileURLToPath(new URL("../../runtime/openclaw-patch-self-test.mjs", import.meta.url));

export interface SelfTestInput {
  packageRoot: string;
  nodeBinary: string;
  release: string;
  toolVersion: string;
  env: Record<string, string | undefined>;
  /** Tests inject a table; by default the kernel's is read. */
  readTable?: SelfTestTableReader;
}

export interface SelfTestResult {
  status: "passed" | "failed" | "skipped";
  reason: string | null;
  nodeBinary: string;
  nodeVersion: string | null;
  ws: { path: string; version: string | null } | null;
  config: SelfTestScriptInput["config"];
  checks: SelfTestCheck[];
  durationMs: number;
  diagnostics: Diagnostic[];
}

/**
 * Short enough to finish in about two seconds; the close grace is shorter than a heartbeat round so
 * the close-frame check is decided by the grace, not by a missed pong.
 */
const SELF_TEST_CONFIG: SelfTestScriptInput["config"] = {
  heartbeatMs: 400,
  pongTimeoutMs: 400,
  closeGraceMs: 200,
  keepAliveMs: 1_000,
  shutdownGraceMs: 200,
  headersTimeoutMs: 2_000,
  abortiveClose: true,
};
/** Loopback buffers autotune to a few MB per side at most; the rest stays in the process, unsent. */
const FILL_BYTES = 16 << 20;
/** A reset leaves the table at once; this only absorbs the poll and a busy host. */
const KERNEL_GRACE_MS = 1_000;
/** /proc is cheap to read; netstat is a process start. */
const KERNEL_POLL_MS = process.platform === "linux" ? 50 : 500;
const SLACK_MS = 1_500;
const SCRIPT_TIMEOUT_MS = 20_000;
/** The child gets a little longer than its own hard stop, then is killed. */
const CHILD_KILL_MS = SCRIPT_TIMEOUT_MS + 10_000;

/**
 * Runs the injected runtime the way the gateway will: the install's Node, the install's ws, the
 * runtime file apply copied into the package. Never throws; failures are the result.
 */
export async function runSelfTest(input: SelfTestInput): Promise<SelfTestResult> {
  const started = performance.now();
  const result = (status: SelfTestResult["status"], reason: string | null, extra: Partial<SelfTestResult> = {}): SelfTestResult => ({
    status,
    reason,
    nodeBinary: input.nodeBinary,
    nodeVersion: null,
    ws: null,
    config: SELF_TEST_CONFIG,
    checks: [],
    durationMs: Math.round(performance.now() - started),
    diagnostics: [],
    ...extra,
  });
  const packageJson = path.join(input.packageRoot, "package.json");
  // Where apply puts it: RUNTIME_FILE is relative to the package root, like every recorded path.
  const runtimeFile = path.join(input.packageRoot, RUNTIME_FILE);
  if (!existsSync(runtimeFile)) {
    return result("failed", `the injected runtime ${runtimeFile} is missing`, {
      diagnostics: [diagnostic("OCP_SELF_TEST_FAILED", `The injected runtime ${runtimeFile} is missing.`, "run `openclaw-patch apply --force` to restore it")],
    });
  }
  // Settled here without a process when it is plain that ws is not there (a `npm pack` extract).
  try {
    createRequire(packageJson).resolve("ws");
  } catch {
    return result("skipped", "the package cannot resolve its ws dependency: an install without node_modules (e.g. a `npm pack` extract) has nothing to run the runtime against");
  }

  const scriptInput: SelfTestScriptInput = {
    packageJson,
    runtimeFile,
    toolVersion: input.toolVersion,
    release: input.release,
    config: SELF_TEST_CONFIG,
    slackMs: SLACK_MS,
    overallTimeoutMs: SCRIPT_TIMEOUT_MS,
    kernelWaitMs: SCRIPT_TIMEOUT_MS / 2,
    fillBytes: FILL_BYTES,
  };
  let checkpoint: SelfTestKernelCheckpoint | null = null;
  let evidence = new Map<string, KernelEvidence>();
  const onCheckpoint = async (seen: SelfTestKernelCheckpoint): Promise<void> => {
    checkpoint = seen;
    evidence = await pollKernelEnds(seen, { read: input.readTable ?? defaultSelfTestTableReader, graceMs: KERNEL_GRACE_MS, intervalMs: KERNEL_POLL_MS });
  };
  const run = await runChild(input.nodeBinary, [SELF_TEST_PROGRAM, JSON.stringify(scriptInput)], input.packageRoot, childEnv(input.env), onCheckpoint);
  const output = lastJsonLine(run.stdout);
  if (!output) {
    const why = run.spawnError ?? `exit ${run.code ?? run.signal ?? "?"}${run.stderr ? `: ${run.stderr.trim().split("\n").slice(-6).join(" | ")}` : ""}`;
    return result("failed", `the self-test program gave no result (${why})`, {
      diagnostics: [diagnostic("OCP_SELF_TEST_FAILED", `The self-test with ${input.nodeBinary} gave no result (${why}).`, "check that --node names the Node binary the gateway runs on")],
    });
  }
  const checks = withKernelEvidence(output.checks, checkpoint, evidence);
  const status = output.status === "passed" && !checks.every((c) => c.passed) ? "failed" : output.status;
  const failed = status === "failed";
  return result(status, output.reason ?? null, {
    nodeVersion: output.node,
    ws: output.ws,
    checks,
    diagnostics: failed ? [failureDiagnostic(output, checks)] : [],
  });
}

/**
 * When the process did its part and only the kernel's table objects, the runtime closed gracefully where
 * it should have reset: a different remedy from a runtime that missed its bounds.
 */
function failureDiagnostic(output: SelfTestScriptOutput, checks: readonly SelfTestCheck[]): Diagnostic {
  const failures = output.reason ?? checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`).join("; ");
  if (kernelOnly(output.checks, checks)) {
    return diagnostic(
      "OCP_SELF_TEST_KERNEL_ORPHAN",
      `The injected runtime let go of the misbehaving connections in time under ${output.node}, but the kernel kept their sockets as orphans: ${failures}`,
      "The runtime closed them gracefully (FIN) instead of resetting them: run `openclaw-patch apply --abortive-close on` (upgrade openclaw-patch first if it has no such option), then restart the gateway",
    );
  }
  return diagnostic(
    "OCP_SELF_TEST_FAILED",
    `The injected runtime did not hold its bounds under ${output.node}: ${failures}`,
    "report this with the output of `openclaw-patch verify --json`; `openclaw-patch revert` restores the original gateway",
  );
}

/** Every failure is the kernel's table contradicting a check the process passed. */
function kernelOnly(fromProgram: readonly SelfTestScriptCheck[], judged: readonly SelfTestCheck[]): boolean {
  const failed = judged.filter((c) => !c.passed);
  return failed.length > 0 && failed.every((c) => c.kernel?.readable === true && !c.kernel.gone && fromProgram.find((p) => p.name === c.name)?.passed === true);
}

/**
 * The runtime reads OPENCLAW_PATCH_* at attach (and could be switched off by one); NODE_OPTIONS
 * and NODE_PATH would change what loads. None of them belong in a test of the file itself. Tracing
 * is off: the self-test serves a loopback server through the runtime, and its lines would land in
 * the gateway's trace file (~/.openclaw/logs) under a process id that is not the gateway's.
 */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { OPENCLAW_PATCH_TRACE: "off" };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || key.startsWith("OPENCLAW_PATCH_") || key === "NODE_OPTIONS" || key === "NODE_PATH" || key.startsWith("NODE_TEST")) continue;
    clean[key] = value;
  }
  return clean;
}

interface ChildRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  spawnError?: string;
}

/**
 * Runs the program and answers its kernel-table checkpoint once the table has been read; the
 * program keeps its clients open until then. Killed (by its own handle) past CHILD_KILL_MS.
 */
function runChild(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, onCheckpoint: (checkpoint: SelfTestKernelCheckpoint) => Promise<void>): Promise<ChildRun> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let pendingLine = "";
    let spawnError: string | undefined;
    let answered = false;
    const child = spawn(command, args, { cwd, env, stdio: ["pipe", "pipe", "pipe"], windowsHide: true });
    const killer = setTimeout(() => child.kill("SIGKILL"), CHILD_KILL_MS);
    child.stdin.on("error", () => undefined);
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += chunk;
      pendingLine += chunk;
      for (let newline = pendingLine.indexOf("\n"), guard = 0; newline >= 0 && guard < 1_000; newline = pendingLine.indexOf("\n"), guard++) {
        const line = pendingLine.slice(0, newline);
        pendingLine = pendingLine.slice(newline + 1);
        const seen = answered ? undefined : parseCheckpoint(line);
        if (!seen) continue;
        answered = true;
        void onCheckpoint(seen)
          .catch(() => undefined)
          .then(() => child.stdin.end("go\n"));
      }
      if (pendingLine.length > MAX_OUTPUT) pendingLine = "";
    });
    child.stderr.on("data", (chunk: string) => {
      if (stderr.length < MAX_OUTPUT) stderr += chunk;
    });
    child.once("error", (error: NodeJS.ErrnoException) => (spawnError = `${command}: ${error.code ?? error.message}`));
    child.once("close", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ...(spawnError === undefined ? {} : { spawnError }) });
    });
  });
}

const MAX_OUTPUT = 8 << 20;

function parseCheckpoint(line: string): SelfTestKernelCheckpoint | undefined {
  if (!line.startsWith('{"checkpoint"')) return undefined;
  try {
    const value = JSON.parse(line) as SelfTestKernelCheckpoint;
    return value.checkpoint === "kernel-table" && Number.isInteger(value.serverPort) && Array.isArray(value.ends) ? value : undefined;
  } catch {
    return undefined;
  }
}

function lastJsonLine(stdout: string): SelfTestScriptOutput | undefined {
  const lines = stdout.trim().split("\n");
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 5; i--) {
    try {
      const value = JSON.parse(lines[i]!) as SelfTestScriptOutput;
      if (value && typeof value === "object" && typeof value.status === "string" && Array.isArray(value.checks)) return value;
    } catch {
      // not the result line
    }
  }
  return undefined;
}
