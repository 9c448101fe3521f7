import type { RuntimeConfig } from "../../runtime/contract.js";

/**
 * What the self-test program (the child, child/main.ts) and run-self-test.ts (the parent) say to each
 * other. The parent starts the program with one JSON argument (SelfTestScriptInput). Once the
 * misbehaving clients are dropped (as the process sees it) the program prints one
 * SelfTestKernelCheckpoint line and keeps every client open until a line arrives on stdin: a client
 * that went away would take the server's orphaned end with it, and the parent reads the kernel's
 * table in that window. It prints one JSON line (SelfTestScriptOutput) as the last line of stdout
 * and always exits 0; the parent judges the result.
 */
export interface SelfTestScriptInput {
  packageJson: string;
  runtimeFile: string;
  toolVersion: string;
  release: string;
  /** Passed to the runtime's attach as is: the runtime's own type keeps the two in step. */
  config: RuntimeConfig;
  /** Bytes the server sends the client that stops reading: more than both kernels' buffers hold. */
  fillBytes: number;
  /** Added to every bound: process scheduling on a busy host, and the pong decision's poll phase. */
  slackMs: number;
  /** Hard stop of the whole program. */
  overallTimeoutMs: number;
  /** Longest wait for the parent's go-ahead after the kernel-table checkpoint. */
  kernelWaitMs: number;
}

export type SelfTestCheckName = "ignores-pings" | "ignores-close-frame" | "fills-window" | "healthy-client" | "healthy-close" | "runtime-warnings";

/** One check as the program saw it; the parent adds what the kernel's table showed (kernel-evidence.ts). */
export interface SelfTestScriptCheck {
  name: SelfTestCheckName;
  passed: boolean;
  measuredMs: number | null;
  boundMs: number | null;
  detail: string;
}

/** Printed on its own line when the clients' fate is decided and the table is worth reading. */
export interface SelfTestKernelCheckpoint {
  checkpoint: "kernel-table";
  /** The program's pid: the server's ends are held by it until it lets go. */
  pid: number;
  serverPort: number;
  ends: { check: SelfTestCheckName; clientPort: number; expect: "gone" | "open" }[];
}

export interface SelfTestScriptOutput {
  status: "passed" | "failed" | "skipped";
  reason?: string;
  node: string;
  ws: { path: string; version: string | null } | null;
  checks: SelfTestScriptCheck[];
  warnings: { code: string | null; message: string }[];
}
