import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { performance } from "node:perf_hooks";
import type { WebSocket } from "ws";
import {
  FAST_CONFIG,
  attachOptions,
  blockEventLoop,
  collectTrace,
  healthyClient,
  rawPeer,
  sleep,
  startGateway,
  within,
  type Gateway,
  runtimeSuite,
} from "./helpers.js";

/** Generous allowance for scheduling on a loaded CI machine; correctness, not latency, is tested. */
const SLACK_MS = 2_000;

describe("heartbeat", () => {
  const suite = runtimeSuite();

  async function gatewayWith(config = {}, onSocket?: (socket: WebSocket) => void): Promise<Gateway> {
    const hooks = suite.runtime().attach(attachOptions({ heartbeat: true }, config));
    const gateway = await startGateway(hooks, { onSocket });
    suite.track(gateway);
    return gateway;
  }

  it("terminates a peer that never answers pings", async () => {
    const gateway = await gatewayWith();
    const trace = collectTrace();
    const peer = await rawPeer(gateway.port);
    const connectedAt = performance.now();
    const closedAt = await within(
      peer.closed,
      FAST_CONFIG.heartbeatMs + FAST_CONFIG.pongTimeoutMs + SLACK_MS,
      "the silent peer to be dropped",
    );
    trace.stop();
    assert.ok(peer.pings() >= 1, "the peer was pinged before being dropped");
    assert.ok(closedAt - connectedAt >= FAST_CONFIG.pongTimeoutMs, "the peer had a full pong window");
    assert.ok(
      trace.events.some((event) => event.type === "terminated" && event.mechanism === "heartbeat"),
      "the termination is attributed to the heartbeat",
    );
  });

  it("keeps a healthy ws client across several heartbeats", async () => {
    const gateway = await gatewayWith();
    const { client, pings } = await healthyClient(gateway.port);
    await sleep(FAST_CONFIG.heartbeatMs * 6);
    assert.equal(client.readyState, client.OPEN);
    assert.ok(pings() >= 3, `expected at least 3 heartbeat pings, got ${pings()}`);
    client.close();
  });

  it("keeps a client that reads slowly but answers pongs", async () => {
    // The ping waits behind a Node-side backlog far longer than one pong window; the client keeps
    // draining it. Once written, the ping can still sit behind the kernel buffers (a few MB on
    // loopback) that no Node API shows, so the window is sized for those to drain in time.
    const pongTimeoutMs = 800;
    const backlogMessages = 96 * 16;
    const message = Buffer.alloc(64 * 1024, 7);
    let firstPingSentAt: number | undefined;
    const gateway = await gatewayWith({ pongTimeoutMs }, (socket) => {
      for (let i = 0; i < backlogMessages; i++) socket.send(message);
      const trackedPing = socket.ping.bind(socket);
      socket.ping = (...args: Parameters<WebSocket["ping"]>): void => {
        firstPingSentAt ??= performance.now();
        trackedPing(...args);
      };
    });
    const trace = collectTrace();
    const { client, pings } = await healthyClient(gateway.port);
    let firstPingReadAt: number | undefined;
    client.once("ping", () => void (firstPingReadAt = performance.now()));
    let received = 0;
    const drained = new Promise<void>((resolve) =>
      client.on("message", () => {
        if (++received === backlogMessages) resolve();
      }),
    );
    // ws's underlying socket; pausing it after every read makes this client a slow reader.
    const transport = (client as unknown as { _socket: import("node:net").Socket })._socket;
    transport.on("data", () => {
      transport.pause();
      setTimeout(() => transport.resume(), 2);
    });
    const dropped = new Promise<never>((_, reject) =>
      client.once("close", () => reject(new Error(`the slow client was dropped after ${received} messages`))),
    );
    await within(Promise.race([drained, dropped]), 30_000, "the slow client to drain its backlog");
    await sleep(FAST_CONFIG.heartbeatMs * 3);
    trace.stop();
    assert.ok(firstPingSentAt !== undefined && firstPingReadAt !== undefined, "a ping went through");
    assert.ok(firstPingReadAt - firstPingSentAt > pongTimeoutMs, "the ping really waited longer than a pong window");
    assert.equal(client.readyState, client.OPEN, "the slow client is still connected");
    assert.ok(pings() >= 2, "the slow client kept answering pings");
    assert.deepEqual(trace.events.filter((event) => event.type === "terminated"), []);
    client.close();
  });

  it("does not terminate healthy clients because the server's event loop was blocked", async () => {
    const blockMs = FAST_CONFIG.pongTimeoutMs * 3;
    const clientCount = 6;
    let blocksLeft = 2;
    let blockingSocket: WebSocket | undefined;
    const gateway = await gatewayWith({}, (socket) => {
      blockingSocket ??= socket;
      if (socket !== blockingSocket) return;
      // Blocks from the write callback of the first heartbeat pings: the runtime has started the
      // pong window, the clients (same process) have not read the ping yet, so their pongs arrive
      // only after the deadline has passed. Several clients make that race near certain.
      const trackedPing = socket.ping.bind(socket);
      socket.ping = (): void => {
        trackedPing(undefined, undefined, () => {
          if (blocksLeft-- > 0) blockEventLoop(blockMs);
        });
      };
    });
    const trace = collectTrace();
    const clients = [];
    for (let i = 0; i < clientCount; i++) clients.push(await healthyClient(gateway.port));
    await within(
      (async () => {
        for (let round = 0; round < 200 && blocksLeft > 0; round++) await sleep(25);
      })(),
      5_000,
      "the blocking pings",
    );
    await sleep(FAST_CONFIG.heartbeatMs * 4);
    trace.stop();
    assert.ok(blocksLeft <= 0, "the event loop was blocked twice");
    assert.ok(trace.events.some((event) => event.type === "stall"), "the stall was noticed");
    assert.deepEqual(trace.events.filter((event) => event.type === "terminated"), []);
    for (const { client, pings } of clients) {
      assert.equal(client.readyState, client.OPEN, "every client survived the stalls");
      assert.ok(pings() >= 3);
      client.close();
    }
  });
});
