import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { WebSocket } from "ws";
import {
  FAST_CONFIG,
  attachOptions,
  collectTrace,
  floodUntilWindowCloses,
  healthyClient,
  rawPeer,
  sleep,
  startGateway,
  within,
  type Gateway,
  runtimeSuite,
} from "./helpers.js";

const SLACK_MS = 2_000;
/** Stands in for the release's own 25 s ping loop (2026.5.2 – 7.x), scaled down. */
const RELEASE_PING_MS = 250;

describe("enforceReleasePing", () => {
  const suite = runtimeSuite();

  async function gateway(releasePings: boolean): Promise<Gateway> {
    const hooks = suite.runtime().attach(attachOptions({ enforceReleasePing: true }));
    const started = await startGateway(hooks, {
      onSocket: (socket: WebSocket) => {
        if (!releasePings) return;
        const timer = setInterval(() => {
          try {
            socket.ping();
          } catch {
            // the release ignores ping failures the same way
          }
        }, RELEASE_PING_MS);
        socket.once("close", () => clearInterval(timer));
      },
    });
    suite.track(started);
    return started;
  }

  it("sends no ping of its own", async () => {
    const { port } = await gateway(false);
    const { client, pings } = await healthyClient(port);
    await sleep(FAST_CONFIG.heartbeatMs * 5);
    assert.equal(pings(), 0);
    assert.equal(client.readyState, client.OPEN);
    client.close();
  });

  it("terminates a peer that leaves the release's ping unanswered", async () => {
    const { port } = await gateway(true);
    const trace = collectTrace();
    const peer = await rawPeer(port);
    await within(peer.closed, RELEASE_PING_MS + FAST_CONFIG.pongTimeoutMs + SLACK_MS, "the silent peer to be dropped");
    trace.stop();
    assert.ok(peer.pings() >= 1);
    assert.ok(trace.events.some((event) => event.type === "terminated" && event.mechanism === "release-ping"));
  });

  it("keeps a peer that answers the release's pings, adding none", async () => {
    const { port } = await gateway(true);
    const { client, pings } = await healthyClient(port);
    const observeMs = RELEASE_PING_MS * 5;
    await sleep(observeMs);
    assert.equal(client.readyState, client.OPEN);
    assert.ok(pings() >= 3, `expected the release's pings, got ${pings()}`);
    assert.ok(pings() <= observeMs / RELEASE_PING_MS + 1, `expected no extra pings, got ${pings()}`);
    client.close();
  });

  it("ends a frozen peer whose window is full once the release's ping, stuck behind its data, makes no write progress", async () => {
    const started = await gateway(true);
    const serverSide = started.nextSocket();
    const peer = await rawPeer(started.port, { frozen: true });
    const server = await serverSide;
    const trace = collectTrace();
    await floodUntilWindowCloses(server);
    const closed = new Promise<void>((resolve) => server.once("close", () => resolve()));
    await within(closed, RELEASE_PING_MS + FAST_CONFIG.pongTimeoutMs + SLACK_MS, "the peer with the stuck ping to be ended");
    trace.stop();
    assert.ok(trace.events.some((event) => event.type === "terminated" && event.mechanism === "release-ping" && event.reset === true));
    peer.socket.destroy();
  });
});
