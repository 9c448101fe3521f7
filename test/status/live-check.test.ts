import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, test } from "node:test";
import { WebSocketServer, type WebSocket } from "ws";
import { runLiveCheck, type LiveCheckInput } from "../../src/live/live-check.js";
import type { ProbeBound } from "../../src/live/bounds.js";
import { readTcpTable } from "../../src/sockets/read-table.js";

// Miniature gateways speaking the connect handshake: one that lets silent peers go quickly (what
// the fixes promise) and one that keeps them (2026.3.24 without the fixes).

const TOKEN = "live-check-token";
const onLinux = process.platform === "linux";

interface FakeGateway {
  port: number;
  stop(): Promise<void>;
}

interface Behaviour {
  /** Close a peer that has not authenticated after this long (the handshake timeout). */
  handshakeMs: number;
  /** terminate() this long after any close, or never (ws then waits 30 s). */
  closeGraceMs?: number;
  /** Ping every N ms and terminate a peer that missed the previous pong; never when absent. */
  heartbeatMs?: number;
}

async function fakeGateway(behaviour: Behaviour): Promise<FakeGateway> {
  const http: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const closeWithGrace = (socket: WebSocket, code: number): void => {
    socket.close(code, "bye");
    if (behaviour.closeGraceMs !== undefined) later(behaviour.closeGraceMs, () => socket.terminate());
  };
  wss.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
    let authed = false;
    socket.send(JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: "n", ts: Date.now() } }));
    later(behaviour.handshakeMs, () => {
      if (!authed) closeWithGrace(socket, 1008);
    });
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as { id: string; method: string; params: { auth: { token: string }; minProtocol: number; maxProtocol: number } };
      if (message.method !== "connect") return;
      authed = message.params.auth.token === TOKEN && message.params.minProtocol === 3 && message.params.maxProtocol === 4;
      socket.send(JSON.stringify(authed ? { type: "res", id: message.id, ok: true, payload: { type: "hello-ok" } } : { type: "res", id: message.id, ok: false, error: { code: "UNAUTHORIZED" } }));
      if (!authed) closeWithGrace(socket, 1008);
    });
    if (behaviour.heartbeatMs !== undefined) {
      let awaitingPong = false;
      socket.on("pong", () => (awaitingPong = false));
      const beat = (): void => {
        if (socket.readyState !== socket.OPEN) return;
        if (awaitingPong) return socket.terminate();
        awaitingPong = true;
        socket.ping();
        later(behaviour.heartbeatMs!, beat);
      };
      later(behaviour.heartbeatMs, beat);
    }
  });
  http.on("upgrade", (req, raw, head) => wss.handleUpgrade(req, raw, head, (socket) => wss.emit("connection", socket, req)));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    port: (http.address() as AddressInfo).port,
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.terminate();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

const bounds = (preAuthMs: number, authenticatedMs: number): Record<"pre-auth" | "authenticated", ProbeBound> => ({
  "pre-auth": { kind: "pre-auth", boundMs: preAuthMs, basis: "test" },
  authenticated: { kind: "authenticated", boundMs: authenticatedMs, basis: "test" },
});

function input(port: number, extra: Partial<LiveCheckInput> = {}): LiveCheckInput {
  return { host: "127.0.0.1", port, bounds: bounds(1_500, 1_500), platform: process.platform, toolVersion: "0.0.0-test", ...extra };
}

describe("live check against miniature gateways", () => {
  const gateways: FakeGateway[] = [];
  after(async () => {
    for (const gateway of gateways) await gateway.stop();
  });
  const start = async (behaviour: Behaviour): Promise<FakeGateway> => {
    const gateway = await fakeGateway(behaviour);
    gateways.push(gateway);
    return gateway;
  };

  test("passes when silent peers are dropped within the bound, pre-auth and authenticated", async () => {
    const gateway = await start({ handshakeMs: 400, closeGraceMs: 200, heartbeatMs: 300 });
    const result = await runLiveCheck(input(gateway.port, { token: TOKEN }));
    assert.equal(result.ok, true, JSON.stringify(result, null, 2));
    const [preAuth, authenticated] = result.probes;
    assert.equal(preAuth?.kind, "pre-auth");
    assert.ok(preAuth!.closeFrameAfterMs !== null && preAuth!.closeFrameAfterMs >= 300, "the handshake timeout sent a close frame the probe ignored");
    assert.ok(preAuth!.droppedAfterMs! >= 500 && preAuth!.droppedAfterMs! <= 1_500, `pre-auth dropped after ${preAuth!.droppedAfterMs} ms`);
    assert.equal(authenticated?.kind, "authenticated");
    assert.ok(authenticated!.pings >= 1, "the gateway pinged the silent authenticated peer");
    assert.equal(authenticated!.closeFrameAfterMs, null);
    assert.ok(authenticated!.droppedAfterMs! >= 500 && authenticated!.droppedAfterMs! <= 1_500, `authenticated dropped after ${authenticated!.droppedAfterMs} ms`);
    assert.ok(["fin", "reset", "table"].includes(authenticated!.droppedBy!));
  });

  test("fails when the gateway keeps them, and says what the gateway's end still is", async () => {
    const gateway = await start({ handshakeMs: 300 });
    const started = Date.now();
    const result = await runLiveCheck(input(gateway.port, { token: TOKEN, bounds: bounds(500, 500) }));
    const elapsed = Date.now() - started;
    assert.equal(result.ok, false);
    for (const probe of result.probes) {
      assert.equal(probe.passed, false);
      assert.equal(probe.droppedAfterMs, null);
      assert.equal(probe.watchLimitMs, 500 + 5_000);
      if (onLinux) assert.deepEqual(probe.gatewaySideAtEnd, { state: "ESTABLISHED", pid: process.pid });
    }
    assert.ok(result.probes[0]!.closeFrameAfterMs !== null, "the pre-auth probe got the close frame and ignored it");
    assert.ok(elapsed < 5_500 + 5_000, `the wait is bounded (${elapsed} ms)`);
  });

  test("a drop seen only in the TCP table counts", { skip: !onLinux && "reads /proc" }, async () => {
    const gateway = await start({ handshakeMs: 60_000 });
    let reads = 0;
    const result = await runLiveCheck(
      input(gateway.port, {
        bounds: bounds(2_000, 2_000),
        // The gateway's end vanishes from the table from the fourth read on, as after a kernel reset.
        readTable: async (withOwners) => {
          const table = await readTcpTable(withOwners ? { platform: "linux" } : { platform: "linux", ownerPids: [] });
          return ++reads <= 3 ? table : { ...table, entries: table.entries.filter((e) => e.localPort !== gateway.port || e.state === "LISTEN") };
        },
      }),
    );
    assert.equal(result.ok, true, JSON.stringify(result.probes));
    assert.equal(result.probes[0]!.droppedBy, "table");
  });

  test("a refused token is reported; the pre-auth probe is still measured", async () => {
    const gateway = await start({ handshakeMs: 300, closeGraceMs: 100 });
    const result = await runLiveCheck(input(gateway.port, { token: "wrong" }));
    assert.equal(result.ok, false);
    assert.deepEqual(result.diagnostics.map((d) => d.code), ["OCP_LIVE_AUTH_FAILED"]);
    assert.equal(result.probes[0]!.passed, true);
    assert.equal(result.probes[1]!.setupError?.stage, "authenticate");
  });

  test("nothing listening: a clear diagnostic, no wait", async () => {
    const gateway = await start({ handshakeMs: 300 });
    const port = gateway.port;
    await gateway.stop();
    gateways.pop();
    const result = await runLiveCheck(input(port, { token: TOKEN }));
    assert.equal(result.ok, false);
    assert.deepEqual(result.diagnostics.map((d) => d.code), ["OCP_LIVE_NO_GATEWAY"]);
    assert.ok(result.probes.every((p) => p.setupError?.code === "ECONNREFUSED"));
  });
});
