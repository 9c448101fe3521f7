import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { freshGatewayCopy, nodeVersionForGateway } from "../support/gateway-install.js";
import { startGateway } from "../support/gateway-process.js";
import { ensureNode } from "../support/node-binary.js";
import * as clients from "../support/ws-clients.js";
import { runCli } from "../support/cli.js";
import { gatewayScratchDir, gatewayTestsSkipReason } from "./gateway-test-setup.js";
import { FAST_PATCH_ENV } from "./scenarios.js";
import type { LoopDelayFigures, MemoryFigures } from "../../src/runtime/tracing/health.js";

const RELEASE = "2026.3.24";
const MIB = 2 ** 20;
const STALL_MS = 3_000;

interface TraceLine {
  ev: string;
  conn?: number;
  port?: number;
  server?: string;
  mechanism?: string;
  ms?: number;
  [key: string]: unknown;
}

/**
 * The patched real gateway traces each misbehaving peer with the fix that reclaimed it, and a
 * SIGSTOP of the gateway shows up as a stall of about that length; `trace` summarises the same.
 */
test("the patched gateway's trace names every reclaimed peer's mechanism and the stalls", { skip: gatewayTestsSkipReason(), timeout: 15 * 60_000 }, async (t) => {
  const scratch = await gatewayScratchDir("trace");
  t.after(scratch.cleanup);
  const nodeBin = await ensureNode(nodeVersionForGateway(RELEASE));
  const root = await freshGatewayCopy(RELEASE, scratch.dir);
  assert.equal((await runCli(["apply", "--dir", root, "--state-dir", join(scratch.dir, "state")])).code, 0);
  const traceFile = join(scratch.dir, "trace.jsonl");
  const gateway = await startGateway({
    packageRoot: root,
    nodeBin,
    scratchDir: join(scratch.dir, "gateway"),
    env: { ...FAST_PATCH_ENV, OPENCLAW_PATCH_HEADERS_TIMEOUT_MS: "2000", OPENCLAW_PATCH_TRACE_FILE: traceFile, OPENCLAW_PATCH_SUMMARY_MS: "1000", OPENCLAW_HANDSHAKE_TIMEOUT_MS: "2000" },
  });
  const target = { port: gateway.port, token: gateway.token };
  const healthy = await clients.healthy(target);
  const frozen = await clients.authenticatedFrozen(target);
  const closer = await clients.closeFrameThenNoRead(target);
  const canvas = await clients.canvasSilent(target);
  const half = await clients.halfUpgrade(target);
  await sleep(8_000);

  process.kill(gateway.pid, "SIGSTOP");
  await sleep(STALL_MS);
  process.kill(gateway.pid, "SIGCONT");
  await sleep(2_500);
  const exit = await gateway.stop("SIGTERM", { timeoutMs: 30_000 });
  for (const c of [healthy, frozen, closer, canvas, half]) c.destroy();
  t.diagnostic(`SIGTERM -> exit after ${Math.round(exit.elapsedMs)} ms`);

  const lines = readFileSync(traceFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as TraceLine);
  const connOf = (port: number) => lines.find((l) => l.ev === "open" && l.port === port)?.conn;
  const eventsOf = (port: number) => {
    const conn = connOf(port);
    assert.notEqual(conn, undefined, `no open event for client port ${port}`);
    return lines.filter((l) => l.conn === conn);
  };
  const mechanismOf = (port: number) => eventsOf(port).find((l) => l.ev === "terminated")?.mechanism;

  assert.ok(lines.some((l) => l.ev === "started"), "started event");
  const frozenEvents = eventsOf(frozen.localPort).map((l) => l.ev);
  for (const ev of ["open", "auth", "heartbeat-missed", "terminated", "closed"]) assert.ok(frozenEvents.includes(ev), `frozen peer: ${ev} in ${frozenEvents.join(",")}`);
  assert.equal(mechanismOf(frozen.localPort), "heartbeat");
  const closerEvents = eventsOf(closer.localPort).map((l) => l.ev);
  assert.ok(closerEvents.includes("close-frame"), `close frame traced: ${closerEvents.join(",")}`);
  assert.equal(mechanismOf(closer.localPort), "close-grace");
  assert.equal(eventsOf(canvas.localPort).find((l) => l.ev === "open")?.server, "canvas");
  assert.equal(mechanismOf(canvas.localPort), "heartbeat");
  assert.ok(lines.some((l) => l.ev === "terminated" && l.mechanism === "request-deadline" && l.port === half.localPort), "half-sent upgrade reclaimed by the request deadline");
  assert.equal(eventsOf(healthy.localPort).find((l) => l.ev === "terminated"), undefined, "the healthy peer was never terminated");

  const stalls = lines.filter((l) => l.ev === "stall");
  t.diagnostic(`stalls: ${stalls.map((s) => s.ms).join(", ")} ms`);
  assert.ok(stalls.some((s) => (s.ms ?? 0) >= STALL_MS - 700 && (s.ms ?? 0) <= STALL_MS + 1_500), `a stall of about ${STALL_MS} ms: ${JSON.stringify(stalls)}`);
  assert.ok(lines.some((l) => l.ev === "summary"), "periodic summary");
  assertPlausibleHealth(lines.filter((l) => l.ev === "summary"), t);
  const serialized = JSON.stringify(lines);
  assert.ok(!serialized.includes(gateway.token), "the token never appears in the trace");

  const report = await runCli(["trace", traceFile, "--json"]);
  assert.equal(report.code, 0, report.stderr);
  const reclaimed = report.json.reclaimed as Record<string, number>;
  assert.ok((reclaimed.heartbeat ?? 0) >= 2, `heartbeat reclaimed the frozen and the canvas peer: ${JSON.stringify(reclaimed)}`);
  assert.ok((reclaimed["close-grace"] ?? 0) >= 1, JSON.stringify(reclaimed));
  assert.ok((reclaimed["request-deadline"] ?? 0) >= 1, JSON.stringify(reclaimed));
  assert.equal(report.json.stalls.count, stalls.length);
  assert.equal(report.json.stalls.longestMs, Math.max(...stalls.map((s) => s.ms ?? 0)));
  const [gatewayProcess] = report.json.processes as { end: { how: string; code?: number }; health?: { samples: number; loopDelayMaxMs?: { max: number } } }[];
  assert.equal(gatewayProcess?.end.how, "exit", "the SIGTERMed gateway's exit is recorded");
  assert.equal(gatewayProcess?.end.code, exit.code);
  assert.ok((gatewayProcess?.health?.samples ?? 0) >= 3 && (gatewayProcess?.health?.loopDelayMaxMs?.max ?? 0) >= STALL_MS - 700, JSON.stringify(gatewayProcess?.health));
});

/** A real gateway holds tens to hundreds of MiB; its loop, idle but for our peers, waits milliseconds. */
function assertPlausibleHealth(summaries: readonly TraceLine[], t: { diagnostic(message: string): void }): void {
  const sampled = summaries.filter((s) => s.memory !== undefined);
  assert.ok(sampled.length >= 3, `summaries carry health figures: ${sampled.length} of ${summaries.length}`);
  const last = sampled.at(-1)!;
  const memory = last.memory as MemoryFigures;
  t.diagnostic(`last sample: ${JSON.stringify({ memory, loopDelayMs: last.loopDelayMs, activeResources: last.activeResources, uptimeS: last.uptimeS })}`);
  assert.ok(memory.rss > 50 * MIB && memory.rss < 4_096 * MIB, `rss ${memory.rss}`);
  assert.ok(memory.heapUsed > 10 * MIB && memory.heapUsed <= memory.heapTotal && memory.heapTotal < memory.rss, JSON.stringify(memory));
  assert.ok(memory.external >= memory.arrayBuffers && memory.arrayBuffers >= 0, JSON.stringify(memory));
  assert.ok((last.activeResources as number) >= 5, `the servers, the healthy peer and the gateway's timers are active resources: ${String(last.activeResources)}`);
  assert.ok((last.uptimeS as number) >= 5, `uptime ${String(last.uptimeS)}`);
  const delays = sampled.map((s) => s.loopDelayMs as LoopDelayFigures | undefined).filter((d) => d !== undefined);
  assert.ok(delays.length >= sampled.length - 1, "every sample but perhaps the first has loop delays");
  for (const delay of delays) assert.ok(delay.p50 >= 0 && delay.p50 <= delay.p99 && delay.p99 <= delay.max, JSON.stringify(delay));
  // The SIGSTOP froze the loop for STALL_MS: the sample after it saw a delay of about that length.
  const longest = Math.max(...delays.map((d) => d.max));
  assert.ok(longest >= STALL_MS - 700, `a loop delay of about the ${STALL_MS} ms stop: ${longest}`);
}
