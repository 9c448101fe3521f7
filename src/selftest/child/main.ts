/**
 * The self-test program: run by the install's own Node with the install's own `ws` (see
 * protocol.ts for what it says to its parent, run-self-test.ts). Bundled on its own into
 * build/runtime/openclaw-patch-self-test.mjs: it loads the injected runtime like a gateway chunk
 * does, and depends on nothing but node: builtins.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import type { FixSelection, RuntimeModule } from "../../runtime/contract.js";
import { cleanEnd, describeClientEnd, watchClientEnd } from "./client-end.js";
import { openClient, startLoopbackGateway } from "./loopback-gateway.js";
import type { SelfTestKernelCheckpoint, SelfTestScriptInput, SelfTestScriptOutput } from "./protocol.js";
import { silentPeer, type SilentPeer } from "./silent-peer.js";
import { loadPackageWs, resolvePackageWs, wsVersion } from "./ws-of-package.js";

const input = JSON.parse(process.argv[2]!) as SelfTestScriptInput;
const report: SelfTestScriptOutput = { status: "failed", node: process.version, ws: null, checks: [], warnings: [] };
let finished = false;
function finish(status: SelfTestScriptOutput["status"], reason?: string): void {
  if (finished) return;
  finished = true;
  report.status = status;
  if (reason) report.reason = reason;
  process.stdout.write(`\n${JSON.stringify(report)}\n`, () => process.exit(0));
}
process.on("warning", (w: Error & { code?: string }) => report.warnings.push({ code: w.code || null, message: String(w.message) }));
const hardStop = setTimeout(() => finish("failed", `the self-test did not finish within ${input.overallTimeoutMs} ms`), input.overallTimeoutMs);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const ALL_FIXES: FixSelection = { heartbeat: true, enforceReleasePing: false, closeGrace: true, tcpKeepAlive: true, boundedShutdown: true, httpTimeouts: true };

/** The parent answers a checkpoint with one line; a closed stdin (run by hand) means go on. */
function goAhead(limitMs: number): Promise<void> {
  return new Promise((resolve) => {
    let text = "";
    const done = (): void => {
      clearTimeout(timer);
      process.stdin.off("data", onData);
      process.stdin.pause();
      resolve();
    };
    const onData = (chunk: string): void => {
      text += chunk;
      if (text.includes("\n")) done();
    };
    const timer = setTimeout(done, limitMs);
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", onData);
    process.stdin.once("end", done);
    process.stdin.once("error", done);
  });
}

async function main(): Promise<void> {
  let wsPath: string;
  try {
    wsPath = resolvePackageWs(input.packageJson);
  } catch (error) {
    clearTimeout(hardStop);
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    return finish("skipped", `the package cannot resolve its ws dependency (${code ? code : String(error)}): an install without node_modules`);
  }
  report.ws = { path: wsPath, version: wsVersion(wsPath) };
  const ws = loadPackageWs(input.packageJson, wsPath);
  const runtime = (await import(pathToFileURL(input.runtimeFile).href)) as RuntimeModule;
  const callbacks = runtime.attach({ toolVersion: input.toolVersion, release: input.release, chunk: "openclaw-patch-self-test", patches: ["self-test"], fixes: ALL_FIXES, config: input.config });

  const gateway = await startLoopbackGateway(ws, callbacks);
  const { port, nextServerSocket } = gateway;
  const { heartbeatMs, pongTimeoutMs, closeGraceMs } = input.config;

  const healthyOnServer = nextServerSocket();
  const healthy = await openClient(ws, port);
  let healthyPings = 0;
  let healthyClosedAt: number | undefined;
  healthy.on("ping", () => healthyPings++);
  healthy.on("close", () => (healthyClosedAt = performance.now()));
  await healthyOnServer;
  const healthySince = performance.now();
  // Closed by the server at the end, through the gateway's close path (closeStarted arms the close grace).
  const servedOnServer = nextServerSocket();
  const served = await openClient(ws, port);
  const servedTarget = await servedOnServer;

  const pingIgnorerOnServer = nextServerSocket();
  const pingIgnorer = await silentPeer(port);
  const pingSince = performance.now();
  await pingIgnorerOnServer;

  const closeIgnorerOnServer = nextServerSocket();
  const closeIgnorer = await silentPeer(port);
  const closeTarget = await closeIgnorerOnServer;
  const closeSince = performance.now();
  // As the gateway's close helper does in a patched chunk: the callback, then the close.
  callbacks.closeStarted(closeTarget, 1000, "openclaw-patch self-test");
  closeTarget.close(1000, "openclaw-patch self-test");

  // The server writes more than both kernels buffer to a client that stopped reading: the server's
  // end then holds unsent bytes, which a graceful close would keep in the kernel for as long as the
  // client lives.
  const fillerOnServer = nextServerSocket();
  const filler = await silentPeer(port, true);
  const fillTarget = await fillerOnServer;
  const fillSince = performance.now();
  let fillDroppedAt: number | undefined;
  fillTarget.once("close", () => (fillDroppedAt = performance.now()));
  const fillDropped = new Promise((resolve) => fillTarget.once("close", resolve));
  const chunk = Buffer.alloc(1 << 20, 0x61);
  for (let sent = 0; sent < input.fillBytes; sent += chunk.length) fillTarget.send(chunk);
  let fillBacklog = 0;
  const backlogSample = setTimeout(() => (fillBacklog = fillTarget.bufferedAmount), Math.round(heartbeatMs / 2));

  const pingBound = heartbeatMs + pongTimeoutMs + input.slackMs;
  const closeBound = closeGraceMs + input.slackMs;
  const waitUntil = performance.now() + Math.max(pingBound, closeBound);
  await Promise.race([Promise.all([pingIgnorer.gone, closeIgnorer.gone, fillDropped]), sleep(Math.max(pingBound, closeBound))]);
  // The healthy client must come through several heartbeat rounds, not just the first.
  const healthyWatchUntil = healthySince + 3 * heartbeatMs + pongTimeoutMs;
  if (performance.now() < healthyWatchUntil) await sleep(healthyWatchUntil - performance.now());

  const measured = (peer: SilentPeer, since: number): number | null => (peer.goneAt === undefined ? null : Math.round(peer.goneAt - since));
  const pingMs = measured(pingIgnorer, pingSince);
  report.checks.push({
    name: "ignores-pings",
    passed: pingMs !== null && pingMs <= pingBound && pingIgnorer.pings > 0,
    measuredMs: pingMs,
    boundMs: pingBound,
    detail: pingMs === null ? `still connected after ${Math.round(waitUntil - pingSince)} ms (${pingIgnorer.pings} pings)` : `dropped after ${pingMs} ms (${pingIgnorer.pings} pings unanswered)`,
  });
  const closeMs = measured(closeIgnorer, closeSince);
  report.checks.push({
    name: "ignores-close-frame",
    passed: closeMs !== null && closeMs <= closeBound && closeIgnorer.closeFrames > 0,
    measuredMs: closeMs,
    boundMs: closeBound,
    detail: closeMs === null ? `still connected after the close grace (${closeIgnorer.closeFrames} close frames received)` : `dropped ${closeMs} ms after the close frame it never answered`,
  });
  const fillMs = fillDroppedAt === undefined ? null : Math.round(fillDroppedAt - fillSince);
  clearTimeout(backlogSample);
  const backlogNote = fillBacklog > 0 ? `, ${fillBacklog} bytes still unsent in the process: its window was full` : `, its window never filled (the kernels took all ${input.fillBytes} bytes)`;
  report.checks.push({
    name: "fills-window",
    passed: fillMs !== null && fillMs <= pingBound,
    measuredMs: fillMs,
    boundMs: pingBound,
    detail: (fillMs === null ? `still connected after ${Math.round(performance.now() - fillSince)} ms` : `dropped after ${fillMs} ms`) + backlogNote,
  });
  const healthyOpen = healthy.readyState === ws.WebSocket.OPEN && healthyClosedAt === undefined;
  report.checks.push({
    name: "healthy-client",
    passed: healthyOpen && healthyPings > 0,
    measuredMs: Math.round(performance.now() - healthySince),
    boundMs: null,
    detail:
      `${healthyOpen ? "still connected" : "was disconnected"} after ${Math.round(performance.now() - healthySince)} ms, ` +
      (healthyPings > 0 ? `${healthyPings} pings answered` : "but never pinged: the heartbeat did not run"),
  });

  // Every client is still open here, so an orphaned server end has a peer to wait on, as in the field.
  const ends: SelfTestKernelCheckpoint["ends"] = [
    { check: "ignores-pings", clientPort: pingIgnorer.socket.localPort!, expect: "gone" },
    { check: "ignores-close-frame", clientPort: closeIgnorer.socket.localPort!, expect: "gone" },
    { check: "fills-window", clientPort: filler.socket.localPort!, expect: "gone" },
  ];
  const healthyRaw = (healthy as typeof healthy & { _socket?: { localPort?: number } })._socket;
  if (healthyRaw && healthyRaw.localPort) ends.push({ check: "healthy-client", clientPort: healthyRaw.localPort, expect: "open" });
  const checkpoint: SelfTestKernelCheckpoint = { checkpoint: "kernel-table", pid: process.pid, serverPort: port, ends };
  process.stdout.write(`\n${JSON.stringify(checkpoint)}\n`);
  await goAhead(input.kernelWaitMs);

  // Healthy closes keep their FIN: one the client starts, one the server starts through the gateway's path.
  const byClient = watchClientEnd(healthy);
  const byServer = watchClientEnd(served);
  const healthyCloseSince = performance.now();
  healthy.close(1000, "done");
  callbacks.closeStarted(servedTarget, 1000, "openclaw-patch self-test");
  servedTarget.close(1000, "openclaw-patch self-test");
  await Promise.race([Promise.all([byClient.closed, byServer.closed]), sleep(closeBound)]);
  // The error (ECONNRESET) of a reset can trail the close event by a turn.
  await sleep(50);
  report.checks.push({
    name: "healthy-close",
    passed: cleanEnd(byClient) && cleanEnd(byServer),
    measuredMs: Math.round(performance.now() - healthyCloseSince),
    boundMs: closeBound,
    detail: `${describeClientEnd("closed by the client", byClient)}; ${describeClientEnd("closed by the server", byServer)}`,
  });

  const failures = report.warnings.filter((w) => w.code && w.code.startsWith("OCP_RUNTIME"));
  report.checks.push({
    name: "runtime-warnings",
    passed: failures.length === 0,
    measuredMs: null,
    boundMs: null,
    detail: failures.length === 0 ? "no runtime warnings" : failures.map((w) => `${w.code}: ${w.message}`).join("; "),
  });

  healthy.terminate();
  served.terminate();
  for (const socket of gateway.serverSockets) socket.terminate();
  pingIgnorer.socket.destroy();
  closeIgnorer.socket.destroy();
  filler.socket.destroy();
  gateway.wss.close();
  if (gateway.http.closeAllConnections) gateway.http.closeAllConnections();
  gateway.http.close();
  clearTimeout(hardStop);
  finish(report.checks.every((c) => c.passed) ? "passed" : "failed");
}

main().catch((error: unknown) => {
  const stack = (error as { stack?: unknown } | null | undefined)?.stack;
  finish("failed", `the self-test program failed: ${stack ? String(stack) : String(error)}`);
});
