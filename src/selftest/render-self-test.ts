import type { SelfTestResult } from "./run-self-test.js";

/** Text lines for the self-test part of `verify`; the command prints them. */
export function renderSelfTest(result: SelfTestResult): string[] {
  const where = `${result.nodeVersion ?? "node"} at ${result.nodeBinary}${result.ws ? `, ws ${result.ws.version ?? "?"}` : ""}`;
  if (result.status === "skipped") return [`  self-test skipped: ${result.reason ?? ""}`];
  const lines = [`  self-test ${result.status === "passed" ? "passed" : "FAILED"} (${where}; ${result.durationMs} ms)`];
  if (result.reason) lines.push(`    ${result.reason}`);
  for (const check of result.checks) {
    const bound = check.boundMs === null ? "" : ` (bound ${check.boundMs} ms)`;
    lines.push(`    ${check.passed ? "✓" : "✗"} ${check.name}: ${check.detail}${bound}`);
  }
  return lines;
}
