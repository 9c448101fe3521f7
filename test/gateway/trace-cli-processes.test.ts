import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { freshGatewayCopy, nodeVersionForGateway } from "../support/gateway-install.js";
import { startGateway, type OpenclawCliRun, type RunningGateway } from "../support/gateway-process.js";
import { ensureNode } from "../support/node-binary.js";
import { runCli } from "../support/cli.js";
import { gatewayScratchDir, gatewayTestsSkipReason, traceLines } from "./gateway-test-setup.js";

const RELEASE = "2026.3.24";

/** OpenClaw's own commands that load the patched gateway chunk (issue 19: 7 of 8 wrote started/attach lines). */
const CLI_COMMANDS: readonly (readonly string[])[] = [["health"], ["status"], ["gateway", "call", "health"], ["gateway", "probe"]];

async function runAll(gateway: RunningGateway): Promise<OpenclawCliRun[]> {
  const runs: OpenclawCliRun[] = [];
  for (const args of CLI_COMMANDS) runs.push(await gateway.cli(args, { timeoutMs: 90_000 }));
  return runs;
}

/**
 * The patched 2026.3.24's CLI processes load the patched chunk; the trace (at its default place
 * under the gateway's OPENCLAW_STATE_DIR) must hold the gateway's process id only, with and without
 * a gateway running.
 */
test("OpenClaw's CLI commands on a patched release write nothing to the gateway's trace", { skip: gatewayTestsSkipReason(), timeout: 15 * 60_000 }, async (t) => {
  const scratch = await gatewayScratchDir("trace-cli");
  t.after(scratch.cleanup);
  const nodeBin = await ensureNode(nodeVersionForGateway(RELEASE));
  const root = await freshGatewayCopy(RELEASE, scratch.dir);
  const applied = await runCli(["apply", "--dir", root, "--state-dir", join(scratch.dir, "state")]);
  assert.equal(applied.code, 0, applied.stderr);
  const gatewayDir = join(scratch.dir, "gateway");
  const traceFile = join(gatewayDir, "home", ".openclaw", "logs", "openclaw-patch-trace.jsonl");

  const gateway = await startGateway({ packageRoot: root, nodeBin, scratchDir: gatewayDir });
  let live: OpenclawCliRun[] = [];
  let afterStop: OpenclawCliRun[] = [];
  try {
    live = await runAll(gateway);
  } finally {
    await gateway.stop("SIGTERM", { timeoutMs: 30_000 });
  }
  // The same commands with no gateway to talk to: they load the chunk and fail to connect.
  afterStop = await runAll(gateway);

  for (const [index, run] of [...live, ...afterStop].entries()) {
    const args = CLI_COMMANDS[index % CLI_COMMANDS.length]!.join(" ");
    t.diagnostic(`openclaw ${args}${index < CLI_COMMANDS.length ? "" : " (gateway stopped)"}: pid ${run.pid}, exit ${run.code ?? run.signal}`);
    assert.notEqual(run.signal, "SIGKILL", `openclaw ${args} finished within its bound:\n${run.output.slice(-2000)}`);
  }
  // At least the commands talking to the running gateway must have run for real.
  assert.ok(live.some((run) => run.code === 0), live.map((run) => run.output.slice(-500)).join("\n---\n"));

  const lines = traceLines(traceFile);
  const pids = [...new Set(lines.map((line) => line.pid))];
  assert.deepEqual(pids, [gateway.pid], `only the gateway writes the trace; lines:\n${lines.map((line) => JSON.stringify(line)).join("\n")}`);
  assert.equal(lines.filter((line) => line.ev === "started").length, 1, "one started line, the gateway's");
  assert.ok(lines.some((line) => line.ev === "attach"));
  for (const run of [...live, ...afterStop]) assert.ok(!lines.some((line) => line.pid === run.pid));
});
