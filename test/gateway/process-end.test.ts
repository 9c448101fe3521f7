import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { freshGatewayCopy, nodeVersionForGateway } from "../support/gateway-install.js";
import { startGateway, type GatewayExit, type RunningGateway } from "../support/gateway-process.js";
import { ensureNode } from "../support/node-binary.js";
import { runCli } from "../support/cli.js";
import { gatewayScratchDir, gatewayTestsSkipReason, traceLines } from "./gateway-test-setup.js";
import type { TraceRecord } from "../../src/trace/records.js";
import { promtoolCheck, promtoolSkipReason } from "../metrics/promtool.js";

const RELEASE = "2026.3.24";
const SUMMARY_MS = 1_000;
const EXIT_BOUND_MS = 30_000;

/**
 * Loaded with NODE_OPTIONS=--import into the gateway's process only (the variable is removed at
 * once, so its children load it and do nothing): once the test creates the trigger file, an
 * exception thrown inside the listening gateway, from a timer, that nothing in the test catches.
 */
const THROWER = `
import { existsSync } from "node:fs";
const trigger = process.env.OCP_TEST_THROW_WHEN_EXISTS;
delete process.env.OCP_TEST_THROW_WHEN_EXISTS;
if (trigger) setInterval(function gatewayFailsHere() { if (existsSync(trigger)) throw new TypeError("provider reply unreadable, apiKey=sk-test-0123456789abcdef0123"); }, 100).unref();
`;

async function waitForExit(gateway: RunningGateway, boundMs: number): Promise<GatewayExit> {
  for (let waited = 0; waited < boundMs && !gateway.hasExited(); waited += 250) await sleep(250);
  return gateway.stop("SIGKILL");
}

/**
 * Lines the gateway writes with the time, its pid or the port it chose differ between any two runs;
 * everything else of what it prints must be the same with and without the patch.
 */
function stableStderr(text: string, gateway: RunningGateway): string {
  return text
    .replaceAll(String(gateway.pid), "<pid>")
    .replaceAll(String(gateway.port), "<port>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?/g, "<time>")
    .replace(/\b\d\d:\d\d:\d\d(?:\.\d+)?\b/g, "<time>")
    .replace(/\/tmp\/ocp-[^/\s]+/g, "<scratch>");
}

test("the patched 2026.3.24 gateway records how each of its processes ended", { skip: gatewayTestsSkipReason(), timeout: 15 * 60_000 }, async (t) => {
  const scratch = await gatewayScratchDir("process-end");
  t.after(scratch.cleanup);
  const nodeBin = await ensureNode(nodeVersionForGateway(RELEASE));
  const unpatchedRoot = await freshGatewayCopy(RELEASE, join(scratch.dir, "unpatched"));
  const root = await freshGatewayCopy(RELEASE, join(scratch.dir, "patched"));
  assert.equal((await runCli(["apply", "--dir", root, "--state-dir", join(scratch.dir, "state")])).code, 0);
  const traceFile = join(scratch.dir, "trace.jsonl");
  const env = { OPENCLAW_PATCH_TRACE_FILE: traceFile, OPENCLAW_PATCH_SUMMARY_MS: String(SUMMARY_MS) };

  await t.test("a SIGKILLed gateway is reported by the next start with its last sample; SIGTERM is recorded with its exit code", async () => {
    const killed = await startGateway({ packageRoot: root, nodeBin, scratchDir: join(scratch.dir, "killed"), env });
    await sleep(4 * SUMMARY_MS);
    const killedExit = await killed.stop("SIGKILL");
    assert.equal(killedExit.signal, "SIGKILL");
    const killedLines = traceLines(traceFile).filter((line) => line.pid === killed.pid);
    assert.equal(killedLines.find((line) => line.ev === "exit"), undefined, "a killed process writes no exit line");
    const lastSample = killedLines.filter((line) => line.ev === "summary").at(-1);
    assert.ok(lastSample?.memory !== undefined, "the killed gateway wrote health samples");

    const next = await startGateway({ packageRoot: root, nodeBin, scratchDir: join(scratch.dir, "next"), env });
    let report: TraceRecord | undefined;
    for (let waited = 0; waited < 10_000 && report === undefined; waited += 250) {
      await sleep(250);
      report = traceLines(traceFile).find((line) => line.pid === next.pid && line.ev === "unrecorded-end");
    }
    assert.ok(report !== undefined, "the next start reports the killed process");
    assert.equal(report.endedPid, killed.pid);
    const sample = report.lastSample as TraceRecord;
    assert.equal(sample.ts, lastSample.ts);
    assert.deepEqual(sample.memory, lastSample.memory);
    assert.equal(report.lastSeen, Math.max(...killedLines.map((line) => line.ts)));

    await sleep(2 * SUMMARY_MS);
    const nextExit = await next.stop("SIGTERM", { timeoutMs: 30_000 });
    t.diagnostic(`SIGTERM -> code ${String(nextExit.code)}, signal ${String(nextExit.signal)}`);
    assert.equal(nextExit.forcedKill, false);
    assert.equal(nextExit.signal, null, "the gateway handles SIGTERM and exits");
    const exitLines = traceLines(traceFile).filter((line) => line.pid === next.pid && line.ev === "exit");
    assert.equal(exitLines.length, 1);
    assert.equal(exitLines[0]!.code, nextExit.code);
    assert.ok((exitLines[0]!.uptimeMs as number) >= 2 * SUMMARY_MS, JSON.stringify(exitLines[0]));
  });

  await t.test("an exception thrown inside the gateway is recorded, and the gateway ends exactly as unpatched", async () => {
    const thrower = join(scratch.dir, "throw-later.mjs");
    await writeFile(thrower, THROWER);
    const runUntilThrown = async (label: string, packageRoot: string): Promise<{ gateway: RunningGateway; exit: GatewayExit }> => {
      const trigger = join(scratch.dir, `${label}.throw-now`);
      const gateway = await startGateway({ packageRoot, nodeBin, scratchDir: join(scratch.dir, label), env: { ...env, NODE_OPTIONS: `--import=${thrower}`, OCP_TEST_THROW_WHEN_EXISTS: trigger } });
      await sleep(2 * SUMMARY_MS);
      await writeFile(trigger, "");
      return { gateway, exit: await waitForExit(gateway, EXIT_BOUND_MS) };
    };
    const { gateway: plain, exit: plainExit } = await runUntilThrown("plain", unpatchedRoot);
    const { gateway: patched, exit: patchedExit } = await runUntilThrown("throwing", root);
    t.diagnostic(`unpatched: code ${String(plainExit.code)} signal ${String(plainExit.signal)}; patched: code ${String(patchedExit.code)} signal ${String(patchedExit.signal)}`);
    t.diagnostic(`unpatched stderr:\n${plain.stderr()}`);
    assert.equal(plainExit.forcedKill, false, "the unpatched gateway ended by itself");
    assert.equal(patchedExit.forcedKill, false, "the patched gateway ended by itself");
    assert.equal(patchedExit.code, plainExit.code);
    assert.equal(patchedExit.signal, plainExit.signal);
    assert.equal(stableStderr(patched.stderr(), patched), stableStderr(plain.stderr(), plain));
    assert.match(plain.stderr(), /gatewayFailsHere|provider reply unreadable/, "the exception reached Node's report");

    const lines = traceLines(traceFile).filter((line) => line.pid === patched.pid);
    const uncaught = lines.find((line) => line.ev === "uncaught");
    assert.ok(uncaught !== undefined, JSON.stringify(lines.map((line) => line.ev)));
    assert.equal(uncaught.errorClass, "TypeError");
    assert.equal(uncaught.origin, "uncaughtException");
    assert.match(String(uncaught.message), /^provider reply unreadable/);
    assert.ok(!String(uncaught.message).includes("0123456789abcdef"), `the key is scrubbed: ${String(uncaught.message)}`);
    assert.match(String(uncaught.frame), /gatewayFailsHere/);
    const exit = lines.find((line) => line.ev === "exit");
    if (patchedExit.signal === null) assert.equal(exit?.code, patchedExit.code, "the exit that followed is recorded with its code");
  });

  await t.test("trace reports each of those processes' end, uptime and health, and metrics passes promtool", async (st) => {
    const report = await runCli(["trace", traceFile, "--json"]);
    assert.equal(report.code, 0, report.stderr);
    const processes = report.json.processes as { pid: number; end: { how: string; code?: number }; uptimeMs: number; health?: { samples: number; rssBytes: { min: number; max: number } } }[];
    st.diagnostic(JSON.stringify(processes.map((p) => ({ how: p.end.how, code: p.end.code, uptimeMs: p.uptimeMs, samples: p.health?.samples }))));
    assert.deepEqual(
      processes.map((p) => p.end.how),
      ["unrecorded", "exit", "uncaught"],
      "killed, then SIGTERMed, then the thrown exception (the unpatched gateway writes no trace)",
    );
    assert.equal(processes[1]!.end.code, 0);
    assert.equal(processes[2]!.end.code, 1);
    for (const p of processes) assert.ok((p.health?.samples ?? 0) >= 2 && p.health!.rssBytes.min > 0 && p.uptimeMs > 0, JSON.stringify(p));
    assert.equal((report.json.restarts as { count: number; afterUnrecordedEnd: number }).afterUnrecordedEnd, 1);
    const text = await runCli(["trace", traceFile]);
    assert.match(text.stdout, /ended without a record \(killed, out of memory or a native crash\)/);
    assert.match(text.stdout, /uncaught exception TypeError "provider reply unreadable/);

    const metrics = await runCli(["metrics", traceFile, "--install", "live-test"]);
    assert.equal(metrics.code, 0, metrics.stderr);
    assert.match(metrics.stdout, /^openclaw_patch_gateway_unrecorded_ends_total\{install="live-test",release="2026\.3\.24"\} 1$/m);
    assert.match(metrics.stdout, /^openclaw_patch_resident_memory_bytes\{install="live-test",release="2026\.3\.24"\} \d{8,}$/m);
    const skip = promtoolSkipReason();
    if (skip !== false) st.diagnostic(`promtool check skipped: ${skip}`);
    else {
      const check = promtoolCheck(metrics.stdout);
      assert.ok(check.ok, check.output);
    }
  });
});
