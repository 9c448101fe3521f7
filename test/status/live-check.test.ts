import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { after, describe, test } from "node:test";
import { WebSocketServer, type WebSocket } from "ws";
import { runLiveCheck, type LiveCheckInput, type LiveProbeResult } from "../../src/live/live-check.js";
import type { ProbeBound } from "../../src/live/bounds.js";
import { readTcpTable, type TcpTableRead } from "../../src/sockets/read-table.js";
import type { TcpEntry } from "../../src/sockets/types.js";
import { renderLiveReport } from "../../src/live/render-live.js";
import type { LiveVerifyReport } from "../../src/live/live-verify.js";

// Miniature gateways speaking the connect handshake: one that lets silent peers go quickly (what
// the fixes promise) and one that keeps them (2026.3.24 without the fixes).

const TOKEN = "live-check-token";
const onLinux = process.platform === "linux";

interface FakeGateway {
  port: number;
  /** The remote ports of the connections it accepted: the probes' ephemeral ports. */
  peerPorts(): number[];
  stop(): Promise<void>;
}

interface Behaviour {
  /** Close a peer that has not authenticated after this long (the handshake timeout). */
  handshakeMs: number;
  /** terminate() this long after any close, or never (ws then waits 30 s). */
  closeGraceMs?: number;
  /** Ping every N ms and terminate a peer that missed the previous pong; never when absent. */
  heartbeatMs?: number;
  /**
   * Give up on a peer with a reset, as the fixes do with abortive close on; otherwise ws terminate(),
   * whose FIN leaves the gateway's end in the kernel as an orphan.
   */
  abortive?: boolean;
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
  const peerPorts = new Set<number>();
  const giveUp = (socket: WebSocket): void => {
    const raw = (socket as unknown as { _socket?: Socket })._socket;
    if (behaviour.abortive && raw) raw.resetAndDestroy();
    else socket.terminate();
  };
  const closeWithGrace = (socket: WebSocket, code: number): void => {
    socket.close(code, "bye");
    if (behaviour.closeGraceMs !== undefined) later(behaviour.closeGraceMs, () => giveUp(socket));
  };
  wss.on("connection", (socket, req) => {
    sockets.add(socket);
    if (req.socket.remotePort !== undefined) peerPorts.add(req.socket.remotePort);
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
        if (awaitingPong) return giveUp(socket);
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
    peerPorts: () => [...peerPorts],
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
    const gateway = await start({ handshakeMs: 400, closeGraceMs: 200, heartbeatMs: 300, abortive: true });
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
    if (onLinux) {
      for (const probe of result.probes) {
        assert.equal(probe.kernel?.heldByGateway, true, `${probe.kind}: ${JSON.stringify(probe.kernel)}`);
        assert.equal(probe.kernel?.orphanedAfterMs, null, "a reset leaves no orphan");
        assert.ok(probe.kernel!.goneAfterMs !== null && probe.kernel!.goneAfterMs <= 1_500, `${probe.kind}: gone after ${probe.kernel!.goneAfterMs} ms`);
      }
    }
  });

  test("a graceful terminate() fails: the process let go but the kernel keeps its end as an orphan", { skip: !onLinux && "reads /proc" }, async () => {
    const gateway = await start({ handshakeMs: 300, closeGraceMs: 100 });
    const result = await runLiveCheck(input(gateway.port, { bounds: bounds(500, 500) }));
    const [probe] = result.probes;
    assert.equal(result.ok, false, JSON.stringify(result, null, 2));
    assert.ok(probe!.droppedAfterMs !== null && probe!.droppedAfterMs < 1_500, "the probe heard the gateway let go");
    assert.equal(probe!.kernel?.heldByGateway, true);
    assert.ok(probe!.kernel!.orphanedAfterMs !== null);
    assert.equal(probe!.kernel!.goneAfterMs, null);
    // The probe read everything and never sent its FIN, so the orphan waits in FIN_WAIT_2 (tcp_fin_timeout).
    assert.equal(probe!.kernel!.lastSeen?.state, "FIN_WAIT_2");
    assert.equal(probe!.kernel!.lastSeen?.holder, "orphan");
    assert.deepEqual(result.diagnostics.map((d) => d.code), ["OCP_LIVE_KERNEL_ORPHAN"]);
    assert.match(result.diagnostics[0]!.message, /let go .* but the kernel still holds it/);
    assert.match(result.diagnostics[0]!.remedy, /abortive close/);
  });

  test("an orphan in the table is not a drop, whatever the probe heard (fake table)", async () => {
    const gateway = await start({ handshakeMs: 200, closeGraceMs: 100 });
    let reads = 0;
    const row = (clientPort: number, orphan: boolean): TcpEntry => ({
      family: 4,
      localAddress: "127.0.0.1",
      localPort: gateway.port,
      remoteAddress: "127.0.0.1",
      remotePort: clientPort,
      state: orphan ? "FIN_WAIT_1" : "ESTABLISHED",
      sendQueue: orphan ? 131_072 : 0,
      recvQueue: 0,
      inode: orphan ? 0 : 4242,
      ...(orphan ? { detached: true } : { pid: 4242 }),
    });
    const readTable = async (): Promise<TcpTableRead> => {
      const orphan = ++reads > 2;
      return { entries: gateway.peerPorts().map((port) => row(port, orphan)), source: "fake", diagnostics: [] };
    };
    const result = await runLiveCheck(input(gateway.port, { bounds: bounds(500, 500), readTable }));
    const [probe] = result.probes;
    assert.equal(probe!.passed, false, JSON.stringify(probe));
    assert.ok(probe!.droppedAfterMs !== null, "the probe itself saw the close");
    assert.deepEqual(probe!.kernel?.lastSeen, { state: "FIN_WAIT_1", holder: "orphan", pid: null, sendQueue: 131_072 });
    assert.equal(probe!.kernel?.pid, 4242);
    assert.equal(probe!.kernel?.goneAfterMs, null);
    assert.ok(result.diagnostics.some((d) => d.code === "OCP_LIVE_KERNEL_ORPHAN" && d.message.includes("FIN_WAIT_1 orphan (no owning process), 131072 bytes queued")));
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
    const gateway = await start({ handshakeMs: 300, closeGraceMs: 100, abortive: true });
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

describe("verify --live report: what the kernel showed of each probe", () => {
  const base = (probes: LiveProbeResult[]): LiveVerifyReport =>
    ({
      ok: probes.every((p) => p.passed),
      promise: "installed-fixes",
      installState: "patched",
      port: { port: 18789, source: "default", from: "the default" },
      settings: {
        handshakeTimeoutMs: { ms: 10_000, source: "release" },
        heartbeatMs: { ms: 2_000, source: "env" },
        pongTimeoutMs: { ms: 2_000, source: "env" },
        closeGraceMs: { ms: 1_000, source: "env" },
      },
      check: { ok: probes.every((p) => p.passed), host: "127.0.0.1", port: 18789, probes, table: { source: "/proc/net/tcp", readable: true }, diagnostics: [] },
      diagnostics: [],
    }) as unknown as LiveVerifyReport;
  const probe = (kernel: LiveProbeResult["kernel"], passed: boolean): LiveProbeResult => ({
    kind: "authenticated",
    passed,
    boundMs: 5_000,
    toleranceMs: 1_000,
    basis: "heartbeat 2000 ms + pong timeout 2000 ms + close grace 1000 ms",
    watchLimitMs: 10_000,
    droppedAfterMs: 4_100,
    droppedBy: "fin",
    pings: 2,
    firstPingAfterMs: 2_000,
    closeFrameAfterMs: null,
    closeCode: null,
    gatewaySideAtEnd: { state: kernel?.goneAfterMs === null ? "FIN_WAIT_2" : "absent", pid: 4242 },
    kernel,
  });

  test("reset: held by the gateway, then gone, no orphan", () => {
    const lines = renderLiveReport(
      base([probe({ heldByGateway: true, pid: 4242, orphanedAfterMs: null, goneAfterMs: 4_100, lastSeen: { state: "ESTABLISHED", holder: "process", pid: null, sendQueue: 0 } }, true)]),
    );
    assert.ok(lines.includes("      kernel: held by the gateway process (pid 4242), then gone after 4.1 s (last seen ESTABLISHED, held by its process, 0 bytes queued)"), lines.join("\n"));
    assert.ok(lines.includes("    ✓ authenticated: dropped after 4.1 s (FIN), gone from the kernel's table after 4.1 s; bound 5.0 s = heartbeat 2000 ms + pong timeout 2000 ms + close grace 1000 ms"), lines.join("\n"));
    assert.equal(lines.at(-1), "  live check passed");
  });

  test("orphan at the deadline: the process let go, the kernel did not, and the remedy", () => {
    const lines = renderLiveReport(
      base([probe({ heldByGateway: true, pid: 4242, orphanedAfterMs: 4_300, goneAfterMs: null, lastSeen: { state: "FIN_WAIT_1", holder: "orphan", pid: null, sendQueue: 131_072 } }, false)]),
    );
    const text = lines.join("\n");
    assert.match(text, /kernel: held by the gateway process \(pid 4242\), then orphaned \(no owning process\) after 4\.3 s, then still there after 10\.0 s: FIN_WAIT_1 orphan \(no owning process\), 131072 bytes queued/);
    assert.match(text, /the gateway process let go but the kernel still holds the socket: patch with abortive close on/);
    assert.match(text, /✗ authenticated: the gateway let go after 4\.1 s \(FIN\), but its end was still in the kernel's table after 10\.0 s/);
    assert.match(text, /live check FAILED/);
    assert.doesNotMatch(text, /restart it so it runs the fix/, "the gateway ran the fix: a restart would not help");
  });

  test("no table: the probe's own view decided, and says so", () => {
    const lines = renderLiveReport(base([probe(null, true)]));
    assert.ok(lines.some((l) => l.includes("kernel: the TCP table did not list the gateway's end")));
  });
});
