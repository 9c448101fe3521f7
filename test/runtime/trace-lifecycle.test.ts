import assert from "node:assert/strict";
import type { LoopDelayFigures, MemoryFigures } from "../../src/runtime/tracing/health.js";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, type AddressInfo } from "node:net";
import type { WebSocket } from "ws";
import type { GatewayCallbacks, RuntimeModule } from "../../src/runtime/contract.js";
import { FAST_CONFIG, LOOPBACK, attachOptions, healthyClient, loadRuntime, rawPeer, sleep, startGateway, within, type Gateway } from "./helpers.js";
import { connectionIdFor, eventsOf, recordOf, resetTracing, tempDir, waitForRecords } from "../trace/runtime-tracing.js";

const SLACK_MS = 2_000;
const SUMMARY_MS = 100;

function localPortOf(client: WebSocket): number {
  return ((client as unknown as { _socket: { address(): AddressInfo } })._socket.address()).port;
}

describe("trace: connection lifecycle lines", () => {
  let runtime: RuntimeModule;
  let hooks: GatewayCallbacks;
  let gateway: Gateway;
  let file: string;

  before(async () => {
    file = path.join(tempDir("trace-lifecycle"), "logs", "trace.jsonl");
    resetTracing({ file, summaryMs: String(SUMMARY_MS) });
    runtime = await loadRuntime();
    hooks = runtime.attach(attachOptions({ heartbeat: true, closeGrace: true }));
    gateway = await startGateway(hooks);
  });
  after(async () => {
    await gateway.stop();
    resetTracing({});
  });

  it("starts with one started line carrying the version, level and settings", async () => {
    const records = await waitForRecords(file, (all) => all.some((r) => r.ev === "attach"), "the started and attach lines");
    const started = records.filter((r) => r.ev === "started");
    assert.equal(started.length, 1);
    assert.equal(started[0]!.pid, process.pid);
    assert.equal(started[0]!.tool, "0.0.0-test");
    assert.equal(started[0]!.release, "2026.3.24");
    assert.equal(started[0]!.level, "lifecycle");
    assert.deepEqual(started[0]!.fixes, ["heartbeat", "closeGrace"]);
    assert.equal((started[0]!.config as { pongTimeoutMs: number }).pongTimeoutMs, FAST_CONFIG.pongTimeoutMs);
    assert.equal((started[0]!.trace as { summaryMs: number }).summaryMs, SUMMARY_MS);
    for (const record of records) assert.ok(typeof record.ts === "number" && record.ts > 1_600_000_000_000, "epoch ms");
  });

  it("traces a normal client: open, auth, gateway close, the peer's reply, FIN, closed", async () => {
    const serverSocket = gateway.nextSocket();
    const { client } = await healthyClient(gateway.port);
    const socket = await serverSocket;
    const conn = await connectionIdFor(file, localPortOf(client));
    hooks.clientAuthenticated?.(socket, {
      connId: "0b6f4e1e-3c1a-4d5e-9f00-123456789abc",
      connect: { role: "operator", client: { id: "cli", mode: "cli", version: "1.2.3", platform: "linux" } },
    });
    const clientClosed = new Promise<number>((resolve) => client.once("close", (code) => resolve(code)));
    socket.close(1000, "bye");
    assert.equal(await within(clientClosed, SLACK_MS, "the client to close"), 1000);

    const records = await waitForRecords(file, (all) => eventsOf(all, conn).includes("closed"), "the closed line");
    assert.deepEqual(eventsOf(records, conn), ["open", "auth", "close-start", "close-frame", "peer-fin", "closed"]);
    const open = recordOf(records, conn, "open");
    assert.equal(open.server, "gateway");
    assert.equal(open.peer, "127.0.0.1");
    const auth = recordOf(records, conn, "auth");
    assert.equal(auth.gatewayConn, "0b6f4e1e-3c1a-4d5e-9f00-123456789abc");
    assert.equal(auth.role, "operator");
    assert.equal(auth.client, "cli");
    assert.equal(auth.version, "1.2.3");
    assert.deepEqual(
      { by: recordOf(records, conn, "close-start").by, code: recordOf(records, conn, "close-start").code, reason: recordOf(records, conn, "close-start").reason },
      { by: "gateway", code: 1000, reason: "bye" },
    );
    assert.equal(recordOf(records, conn, "close-frame").reply, true, "the peer answered our close");
    const closed = recordOf(records, conn, "closed");
    assert.equal(closed.code, 1000);
    assert.ok(typeof closed.durationMs === "number" && closed.durationMs >= 0);
    assert.equal(closed.bufferedAmount, 0);
    assert.equal(closed.writableLength, 0);
  });

  it("traces a peer that sends a close frame first", async () => {
    const { client } = await healthyClient(gateway.port);
    const conn = await connectionIdFor(file, localPortOf(client));
    client.close(4001, "user left");
    const records = await waitForRecords(file, (all) => eventsOf(all, conn).includes("closed"), "the closed line");
    assert.deepEqual(eventsOf(records, conn).slice(0, 3), ["open", "close-frame", "close-start"]);
    const frame = recordOf(records, conn, "close-frame");
    assert.deepEqual({ code: frame.code, reason: frame.reason, reply: frame.reply }, { code: 4001, reason: "user left", reply: false });
    const start = recordOf(records, conn, "close-start");
    assert.deepEqual({ by: start.by, code: start.code, cause: start.cause }, { by: "peer", code: 4001, cause: "close-frame" });
    assert.equal(recordOf(records, conn, "closed").code, 4001);
  });

  it("traces a peer FIN without a close frame", async () => {
    const peer = await rawPeer(gateway.port);
    const conn = await connectionIdFor(file, peer.socket.localPort!);
    peer.socket.end();
    const records = await waitForRecords(file, (all) => eventsOf(all, conn).includes("closed"), "the closed line");
    assert.deepEqual(eventsOf(records, conn), ["open", "close-start", "closed"], "the FIN that starts the close is its close-start");
    const start = recordOf(records, conn, "close-start");
    assert.deepEqual({ by: start.by, cause: start.cause }, { by: "peer", cause: "fin" });
    assert.equal(recordOf(records, conn, "closed").code, 1006);
  });

  it("traces a client that ignores pings: heartbeat-missed, then terminated by the heartbeat", async () => {
    const peer = await rawPeer(gateway.port);
    const conn = await connectionIdFor(file, peer.socket.localPort!);
    await within(peer.closed, FAST_CONFIG.heartbeatMs + FAST_CONFIG.pongTimeoutMs + SLACK_MS, "the silent peer to be dropped");
    const records = await waitForRecords(file, (all) => eventsOf(all, conn).includes("closed"), "the closed line");
    assert.deepEqual(eventsOf(records, conn), ["open", "heartbeat-missed", "terminated", "closed"]);
    const missed = recordOf(records, conn, "heartbeat-missed");
    assert.equal(missed.ping, "own");
    assert.ok((missed.waitedMs as number) >= FAST_CONFIG.pongTimeoutMs - 20);
    assert.equal(recordOf(records, conn, "terminated").mechanism, "heartbeat");
    const closed = recordOf(records, conn, "closed");
    assert.equal(closed.code, 1006);
    assert.ok((closed.durationMs as number) >= FAST_CONFIG.heartbeatMs);
  });

  it("traces a client that ignores the close frame: terminated by the close grace", async () => {
    const serverSocket = gateway.nextSocket();
    const peer = await rawPeer(gateway.port, { frozen: true });
    const socket = await serverSocket;
    // A frozen reader: the payload stays queued, which the terminated line must show. The close comes
    // first, before the heartbeat could judge the frozen peer; the trace is read afterwards.
    socket.send(Buffer.alloc(4 * 1024 * 1024));
    const serverClosed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.close(1008, "slow consumer");
    const conn = await connectionIdFor(file, peer.socket.localPort!);
    // A frozen peer never reads its FIN; only the server side can tell that the connection ended.
    await within(serverClosed, FAST_CONFIG.closeGraceMs + SLACK_MS, "the server socket to close");
    peer.socket.destroy();
    const records = await waitForRecords(file, (all) => eventsOf(all, conn).includes("closed"), "the closed line");
    // The frozen peer may also miss a heartbeat while the close is pending; the grace still ends it.
    assert.deepEqual(eventsOf(records, conn).filter((ev) => ev !== "heartbeat-missed"), ["open", "close-start", "terminated", "closed"]);
    const start = recordOf(records, conn, "close-start");
    assert.deepEqual({ by: start.by, code: start.code, cause: start.cause }, { by: "gateway", code: 1008, cause: "slow-consumer" });
    const terminated = recordOf(records, conn, "terminated");
    assert.equal(terminated.mechanism, "close-grace");
    assert.ok((terminated.bufferedAmount as number) > 0, `bytes still queued at terminate: ${String(terminated.bufferedAmount)}`);
    assert.ok(terminated.ts - start.ts >= FAST_CONFIG.closeGraceMs - 20, "the peer had the whole grace");
  });

  it("traces a peer that breaks the protocol: ws closes with 1002, the error is recorded", async () => {
    const peer = await rawPeer(gateway.port);
    const conn = await connectionIdFor(file, peer.socket.localPort!);
    // A client frame without the mask bit: ws must fail the connection.
    peer.socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    const records = await waitForRecords(file, (all) => eventsOf(all, conn).includes("closed"), "the closed line");
    const start = recordOf(records, conn, "close-start");
    assert.deepEqual({ by: start.by, code: start.code, cause: start.cause }, { by: "gateway", code: 1002, cause: "protocol-error" });
    assert.match(String(recordOf(records, conn, "error").message), /MASK/);
    peer.socket.destroy();
  });

  it("traces a half-sent upgrade dropped at the request deadline", async () => {
    const deadlineGateway = await startGateway(runtime.attach(attachOptions({ httpTimeouts: true })));
    try {
      const socket = connect({ host: LOOPBACK, port: deadlineGateway.port });
      socket.on("error", () => undefined);
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      socket.write("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n");
      const port = socket.localPort!;
      const records = await waitForRecords(
        file,
        (all) => all.some((r) => r.ev === "terminated" && r.port === port),
        "the request-deadline line",
        FAST_CONFIG.headersTimeoutMs + SLACK_MS,
      );
      const terminated = records.find((r) => r.ev === "terminated" && r.port === port)!;
      assert.deepEqual({ mechanism: terminated.mechanism, peer: terminated.peer, conn: terminated.conn }, { mechanism: "request-deadline", peer: "127.0.0.1", conn: undefined });
      socket.destroy();
    } finally {
      await deadlineGateway.stop();
    }
  });

  it("writes no ping or pong lines at the lifecycle level", async () => {
    const records = await waitForRecords(file, (all) => all.some((r) => r.ev === "closed"), "some lines");
    assert.deepEqual(records.filter((r) => r.ev === "ping" || r.ev === "pong"), []);
  });

  it("writes periodic summaries: sockets by state, buffered bytes, open files", async () => {
    const { client } = await healthyClient(gateway.port);
    const since = Date.now();
    const records = await waitForRecords(
      file,
      (all) => all.some((r) => r.ev === "summary" && r.ts > since && (r.sockets as { open: number }).open >= 1),
      "a summary with the open client",
    );
    const summary = records.filter((r) => r.ev === "summary" && r.ts > since).at(-1)!;
    assert.deepEqual(Object.keys(summary.sockets as object).sort(), ["closed", "closing", "connecting", "open"]);
    assert.equal(typeof summary.bufferedBytes, "number");
    assert.equal(summary.dropped, 0);
    assert.equal(summary.writeFailures, 0);
    if (process.platform === "linux") assert.ok((summary.openFiles as number) > 0, "open file count from /proc/self/fd");
    const memory = summary.memory as MemoryFigures;
    assert.ok(memory.rss > 10 * 2 ** 20 && memory.rss < 8 * 2 ** 30, `plausible rss: ${memory.rss}`);
    assert.ok(memory.heapUsed > 0 && memory.heapUsed <= memory.heapTotal, `heap used within heap total: ${JSON.stringify(memory)}`);
    assert.ok(memory.external >= memory.arrayBuffers && memory.arrayBuffers >= 0, JSON.stringify(memory));
    const delay = summary.loopDelayMs as LoopDelayFigures;
    assert.ok(delay.p50 >= 0 && delay.p50 <= delay.p99 && delay.p99 <= delay.max, `loop delay percentiles in order: ${JSON.stringify(delay)}`);
    assert.ok((summary.activeResources as number) >= 2, "the listening server and the client socket are active resources");
    assert.equal(typeof summary.uptimeS, "number");
    client.close();
    await sleep(SUMMARY_MS * 3);
    const intervals = records.filter((r) => r.ev === "summary").map((r) => r.ts);
    assert.ok(intervals.length >= 2, "summaries repeat");
  });

  it("reports the gateway's shutdown and the closes it causes", async () => {
    const serverSocket = gateway.nextSocket();
    const { client } = await healthyClient(gateway.port);
    const socket = await serverSocket;
    const conn = await connectionIdFor(file, localPortOf(client));
    hooks.shutdownStarted(gateway.wss);
    socket.close(1012, "service restart");
    const records = await waitForRecords(file, (all) => eventsOf(all, conn).includes("closed"), "the closed line");
    assert.ok(records.some((r) => r.ev === "shutdown" && r.server === "gateway"));
    assert.equal(recordOf(records, conn, "close-start").cause, "shutdown");
  });
});
