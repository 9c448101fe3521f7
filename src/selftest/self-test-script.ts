import type { RuntimeConfig } from "../runtime/contract.js";
import type { KernelEvidence } from "./kernel-evidence.js";

/**
 * The self-test program, run by the install's own Node with the install's own `ws`: written to a
 * temporary .mjs file and started with one JSON argument (SelfTestScriptInput). Once the misbehaving
 * clients are dropped (as the process sees it) it prints one SelfTestKernelCheckpoint line and keeps
 * every client open until a line arrives on stdin: a client that went away would take the server's
 * orphaned end with it, and the parent reads the kernel's table in that window. It prints one JSON
 * line (SelfTestScriptOutput) as the last line of stdout and always exits 0; the parent judges the
 * result. Plain JavaScript on purpose: it must run on whatever Node the gateway uses, without this
 * project's build.
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

export interface SelfTestScriptCheck {
  name: SelfTestCheckName;
  passed: boolean;
  measuredMs: number | null;
  boundMs: number | null;
  detail: string;
  /** The server's end in the kernel's table; added by the parent, which reads the table. */
  kernel?: KernelEvidence;
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

export const SELF_TEST_SCRIPT = String.raw`
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { connect } from "node:net";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";

const input = JSON.parse(process.argv[2]);
const report = { status: "failed", node: process.version, ws: null, checks: [], warnings: [] };
let finished = false;
function finish(status, reason) {
  if (finished) return;
  finished = true;
  report.status = status;
  if (reason) report.reason = reason;
  process.stdout.write("\n" + JSON.stringify(report) + "\n", () => process.exit(0));
}
process.on("warning", (w) => report.warnings.push({ code: w.code || null, message: String(w.message) }));
const hardStop = setTimeout(() => finish("failed", "the self-test did not finish within " + input.overallTimeoutMs + " ms"), input.overallTimeoutMs);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function wsVersion(wsPath) {
  let dir = dirname(wsPath);
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      if (pkg.name === "ws") return String(pkg.version);
    } catch {}
    dir = dirname(dir);
  }
  return null;
}

function countFrames(buffer, onFrame) {
  let rest = buffer;
  for (let guard = 0; guard < 10000 && rest.length >= 2; guard++) {
    const opcode = rest[0] & 0x0f;
    const short = rest[1] & 0x7f;
    const headerLength = short === 126 ? 4 : short === 127 ? 10 : 2;
    if (rest.length < headerLength) break;
    const length = short === 126 ? rest.readUInt16BE(2) : short === 127 ? Number(rest.readBigUInt64BE(2)) : short;
    if (rest.length < headerLength + length) break;
    onFrame(opcode);
    rest = rest.subarray(headerLength + length);
  }
  return rest;
}

// A peer on a bare TCP socket: it answers nothing (no pong, no close frame, no FIN). It reads
// everything, or with stopReading nothing after the upgrade, so its kernel's receive buffer fills and
// it advertises a zero window while its kernel keeps answering: a hung client.
function silentPeer(port, stopReading) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    const peer = { socket, pings: 0, closeFrames: 0, goneAt: undefined, gone: undefined };
    peer.gone = new Promise((done) => {
      const mark = () => {
        if (peer.goneAt === undefined) peer.goneAt = performance.now();
        done();
      };
      socket.once("end", mark);
      socket.once("close", mark);
    });
    socket.on("error", () => {});
    let head = Buffer.alloc(0);
    let pending = Buffer.alloc(0);
    let upgraded = false;
    socket.on("data", (chunk) => {
      if (!upgraded) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        if (!head.subarray(0, end).toString("latin1").startsWith("HTTP/1.1 101")) return reject(new Error("upgrade refused"));
        upgraded = true;
        pending = head.subarray(end + 4);
        if (stopReading) socket.pause();
        resolve(peer);
      } else pending = Buffer.concat([pending, chunk]);
      pending = countFrames(pending, (opcode) => {
        if (opcode === 0x9) peer.pings++;
        if (opcode === 0x8) peer.closeFrames++;
      });
    });
    socket.once("close", () => {
      if (!upgraded) reject(new Error("the connection closed during the upgrade"));
    });
    socket.once("connect", () =>
      socket.write(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: " + randomBytes(16).toString("base64") + "\r\nSec-WebSocket-Version: 13\r\n\r\n",
      ),
    );
  });
}

// The parent answers a checkpoint with one line; a closed stdin (run by hand) means go on.
function goAhead(limitMs) {
  return new Promise((resolve) => {
    let text = "";
    const done = () => {
      clearTimeout(timer);
      process.stdin.off("data", onData);
      process.stdin.pause();
      resolve();
    };
    const onData = (chunk) => {
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

// How a ws client saw its connection end: the close code, and whether TCP ended in order (FIN) or was reset.
// ws keeps the net.Socket as _socket (every release since 2); without it only the code can be seen.
function watchClientEnd(client) {
  const seen = { code: null, sawEnd: false, errorCode: null, observable: false, closed: undefined };
  const raw = client._socket;
  if (raw && typeof raw.on === "function") {
    seen.observable = true;
    raw.on("end", () => (seen.sawEnd = true));
    raw.on("error", (error) => (seen.errorCode = seen.errorCode || error.code || String(error.message)));
  }
  seen.closed = new Promise((resolve) =>
    client.once("close", (code) => {
      seen.code = code;
      resolve();
    }),
  );
  return seen;
}

function describeClientEnd(label, seen) {
  if (seen.code === null) return label + ": no close event";
  const tcp = !seen.observable ? "TCP end not observable" : seen.errorCode ? "then " + seen.errorCode : seen.sawEnd ? "orderly end (FIN)" : "no FIN seen";
  return label + ": close " + seen.code + ", " + tcp;
}

const cleanEnd = (seen) => seen.code === 1000 && !seen.errorCode && (!seen.observable || seen.sawEnd);

async function openClient(WebSocket, port) {
  const client = new WebSocket("ws://127.0.0.1:" + port + "/");
  client.on("error", () => {});
  await new Promise((resolve, reject) => {
    client.once("open", resolve);
    client.once("error", reject);
  });
  return client;
}

async function main() {
  const require = createRequire(input.packageJson);
  let wsPath;
  try {
    wsPath = require.resolve("ws");
  } catch (error) {
    clearTimeout(hardStop);
    return finish("skipped", "the package cannot resolve its ws dependency (" + (error && error.code ? error.code : String(error)) + "): an install without node_modules");
  }
  report.ws = { path: wsPath, version: wsVersion(wsPath) };
  const ws = require(wsPath);
  const WebSocketServer = ws.WebSocketServer || ws.Server;
  const WebSocket = ws.WebSocket || ws;
  const runtime = await import(pathToFileURL(input.runtimeFile).href);
  const fixes = { heartbeat: true, enforceReleasePing: false, closeGrace: true, tcpKeepAlive: true, boundedShutdown: true, httpTimeouts: true };
  const hooks = runtime.attach({ toolVersion: input.toolVersion, release: input.release, chunk: "openclaw-patch-self-test", patches: ["self-test"], fixes, config: input.config });

  // The call sites a patched gateway chunk has, around a real ws server.
  const http = createServer((req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  hooks.guardServer(wss, "gateway");
  const serverSockets = [];
  const waiters = [];
  wss.on("connection", (socket, req) => {
    hooks.connectionOpened(socket, req, "gateway");
    socket.once("close", (code, reason) => hooks.closeObserved(socket, code, reason));
    socket.once("error", (error) => hooks.errorObserved(socket, error));
    socket.on("error", () => {});
    serverSockets.push(socket);
    const waiter = waiters.shift();
    if (waiter) waiter(socket);
  });
  if (hooks.guardHttpServer) hooks.guardHttpServer(http);
  http.on("upgrade", (req, rawSocket, head) => {
    hooks.upgradeStarted(req, rawSocket, http);
    wss.handleUpgrade(req, rawSocket, head, (socket) => wss.emit("connection", socket, req));
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = http.address().port;
  const nextServerSocket = () => new Promise((resolve) => waiters.push(resolve));
  const { heartbeatMs, pongTimeoutMs, closeGraceMs } = input.config;

  const healthyOnServer = nextServerSocket();
  const healthy = await openClient(WebSocket, port);
  let healthyPings = 0;
  let healthyClosedAt;
  healthy.on("ping", () => healthyPings++);
  healthy.on("close", () => (healthyClosedAt = performance.now()));
  await healthyOnServer;
  const healthySince = performance.now();
  // Closed by the server at the end, through the gateway's close path (closeStarted arms the close grace).
  const servedOnServer = nextServerSocket();
  const served = await openClient(WebSocket, port);
  const servedTarget = await servedOnServer;

  const pingIgnorerOnServer = nextServerSocket();
  const pingIgnorer = await silentPeer(port);
  const pingSince = performance.now();
  await pingIgnorerOnServer;

  const closeIgnorerOnServer = nextServerSocket();
  const closeIgnorer = await silentPeer(port);
  const closeTarget = await closeIgnorerOnServer;
  const closeSince = performance.now();
  // As the gateway's close helper does in a patched chunk: the hook, then the close.
  hooks.closeStarted(closeTarget, 1000, "openclaw-patch self-test");
  closeTarget.close(1000, "openclaw-patch self-test");

  // The server writes more than both kernels buffer to a client that stopped reading: the server's
  // end then holds unsent bytes, which a graceful close would keep in the kernel for as long as the
  // client lives.
  const fillerOnServer = nextServerSocket();
  const filler = await silentPeer(port, true);
  const fillTarget = await fillerOnServer;
  const fillSince = performance.now();
  let fillDroppedAt;
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

  const measured = (peer, since) => (peer.goneAt === undefined ? null : Math.round(peer.goneAt - since));
  const pingMs = measured(pingIgnorer, pingSince);
  report.checks.push({
    name: "ignores-pings",
    passed: pingMs !== null && pingMs <= pingBound && pingIgnorer.pings > 0,
    measuredMs: pingMs,
    boundMs: pingBound,
    detail: pingMs === null ? "still connected after " + Math.round(waitUntil - pingSince) + " ms (" + pingIgnorer.pings + " pings)" : "dropped after " + pingMs + " ms (" + pingIgnorer.pings + " pings unanswered)",
  });
  const closeMs = measured(closeIgnorer, closeSince);
  report.checks.push({
    name: "ignores-close-frame",
    passed: closeMs !== null && closeMs <= closeBound && closeIgnorer.closeFrames > 0,
    measuredMs: closeMs,
    boundMs: closeBound,
    detail: closeMs === null ? "still connected after the close grace (" + closeIgnorer.closeFrames + " close frames received)" : "dropped " + closeMs + " ms after the close frame it never answered",
  });
  const fillMs = fillDroppedAt === undefined ? null : Math.round(fillDroppedAt - fillSince);
  clearTimeout(backlogSample);
  const backlogNote = fillBacklog > 0 ? ", " + fillBacklog + " bytes still unsent in the process: its window was full" : ", its window never filled (the kernels took all " + input.fillBytes + " bytes)";
  report.checks.push({
    name: "fills-window",
    passed: fillMs !== null && fillMs <= pingBound,
    measuredMs: fillMs,
    boundMs: pingBound,
    detail: (fillMs === null ? "still connected after " + Math.round(performance.now() - fillSince) + " ms" : "dropped after " + fillMs + " ms") + backlogNote,
  });
  const healthyOpen = healthy.readyState === WebSocket.OPEN && healthyClosedAt === undefined;
  report.checks.push({
    name: "healthy-client",
    passed: healthyOpen && healthyPings > 0,
    measuredMs: Math.round(performance.now() - healthySince),
    boundMs: null,
    detail:
      (healthyOpen ? "still connected" : "was disconnected") + " after " + Math.round(performance.now() - healthySince) + " ms, " +
      (healthyPings > 0 ? healthyPings + " pings answered" : "but never pinged: the heartbeat did not run"),
  });

  // Every client is still open here, so an orphaned server end has a peer to wait on, as in the field.
  const ends = [
    { check: "ignores-pings", clientPort: pingIgnorer.socket.localPort, expect: "gone" },
    { check: "ignores-close-frame", clientPort: closeIgnorer.socket.localPort, expect: "gone" },
    { check: "fills-window", clientPort: filler.socket.localPort, expect: "gone" },
  ];
  if (healthy._socket && healthy._socket.localPort) ends.push({ check: "healthy-client", clientPort: healthy._socket.localPort, expect: "open" });
  process.stdout.write("\n" + JSON.stringify({ checkpoint: "kernel-table", pid: process.pid, serverPort: port, ends }) + "\n");
  await goAhead(input.kernelWaitMs);

  // Healthy closes keep their FIN: one the client starts, one the server starts through the gateway's path.
  const byClient = watchClientEnd(healthy);
  const byServer = watchClientEnd(served);
  const healthyCloseSince = performance.now();
  healthy.close(1000, "done");
  hooks.closeStarted(servedTarget, 1000, "openclaw-patch self-test");
  servedTarget.close(1000, "openclaw-patch self-test");
  await Promise.race([Promise.all([byClient.closed, byServer.closed]), sleep(closeBound)]);
  // The error (ECONNRESET) of a reset can trail the close event by a turn.
  await sleep(50);
  report.checks.push({
    name: "healthy-close",
    passed: cleanEnd(byClient) && cleanEnd(byServer),
    measuredMs: Math.round(performance.now() - healthyCloseSince),
    boundMs: closeBound,
    detail: describeClientEnd("closed by the client", byClient) + "; " + describeClientEnd("closed by the server", byServer),
  });

  const failures = report.warnings.filter((w) => w.code && w.code.startsWith("OCP_RUNTIME"));
  report.checks.push({
    name: "runtime-warnings",
    passed: failures.length === 0,
    measuredMs: null,
    boundMs: null,
    detail: failures.length === 0 ? "no runtime warnings" : failures.map((w) => w.code + ": " + w.message).join("; "),
  });

  healthy.terminate();
  served.terminate();
  for (const socket of serverSockets) socket.terminate();
  pingIgnorer.socket.destroy();
  closeIgnorer.socket.destroy();
  filler.socket.destroy();
  wss.close();
  if (http.closeAllConnections) http.closeAllConnections();
  http.close();
  clearTimeout(hardStop);
  finish(report.checks.every((c) => c.passed) ? "passed" : "failed");
}

main().catch((error) => finish("failed", "the self-test program failed: " + (error && error.stack ? error.stack : String(error))));
`;
