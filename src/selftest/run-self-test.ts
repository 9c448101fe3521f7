import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { diagnostic, type Diagnostic } from "../core/diagnostics.js";
import { RUNTIME_FILE } from "../core/preamble.js";
import { SELF_TEST_SCRIPT, type SelfTestScriptCheck, type SelfTestScriptInput, type SelfTestScriptOutput } from "./self-test-script.js";

export interface SelfTestInput {
  packageRoot: string;
  nodeBinary: string;
  release: string;
  toolVersion: string;
  env: Record<string, string | undefined>;
}

export interface SelfTestResult {
  status: "passed" | "failed" | "skipped";
  reason: string | null;
  nodeBinary: string;
  nodeVersion: string | null;
  ws: { path: string; version: string | null } | null;
  config: SelfTestScriptInput["config"];
  checks: SelfTestScriptCheck[];
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
};
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
  };
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), "openclaw-patch-self-test-"));
  try {
    const script = path.join(scratch, "self-test.mjs");
    await fs.writeFile(script, SELF_TEST_SCRIPT);
    const run = await runChild(input.nodeBinary, [script, JSON.stringify(scriptInput)], input.packageRoot, childEnv(input.env));
    const output = lastJsonLine(run.stdout);
    if (!output) {
      const why = run.spawnError ?? `exit ${run.code ?? run.signal ?? "?"}${run.stderr ? `: ${run.stderr.trim().split("\n").slice(-6).join(" | ")}` : ""}`;
      return result("failed", `the self-test program gave no result (${why})`, {
        diagnostics: [diagnostic("OCP_SELF_TEST_FAILED", `The self-test with ${input.nodeBinary} gave no result (${why}).`, "check that --node names the Node binary the gateway runs on")],
      });
    }
    const failed = output.status === "failed";
    return result(output.status, output.reason ?? null, {
      nodeVersion: output.node,
      ws: output.ws,
      checks: output.checks,
      diagnostics: failed
        ? [
            diagnostic(
              "OCP_SELF_TEST_FAILED",
              `The injected runtime did not hold its bounds under ${output.node}: ${output.reason ?? output.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`).join("; ")}`,
              "report this with the output of `openclaw-patch verify --json`; `openclaw-patch revert` restores the original gateway",
            ),
          ]
        : [],
    });
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The runtime reads OPENCLAW_PATCH_* at attach (and could be switched off by one); NODE_OPTIONS
 * and NODE_PATH would change what loads. None of them belong in a test of the file itself.
 */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
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

function runChild(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ChildRun> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, timeout: CHILD_KILL_MS, killSignal: "SIGKILL", maxBuffer: 8 << 20, windowsHide: true, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = (error as { code?: unknown } | null)?.code;
      resolve({
        code: error ? (typeof code === "number" ? code : null) : 0,
        signal: (error as { signal?: string } | null)?.signal ?? null,
        stdout,
        stderr,
        ...(typeof code === "string" ? { spawnError: `${command}: ${code}` } : {}),
      });
    });
  });
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
