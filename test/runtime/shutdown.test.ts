import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { describe, it } from "node:test";
import { WebSocketServer } from "ws";
import {
  FAST_CONFIG,
  attachOptions,
  collectTrace,
  rawPeer,
  sleep,
  startGateway,
  within,
  type Gateway,
  runtimeSuite,
} from "./helpers.js";

const SLACK_MS = 2_000;

async function firstServerSocket(gateway: Gateway): Promise<void> {
  for (let attempt = 0; attempt < 200 && gateway.sockets.length === 0; attempt++) await sleep(10);
  assert.equal(gateway.sockets.length, 1, "the frozen peer is connected");
}

describe("boundedShutdown", () => {
  const suite = runtimeSuite();

  it("lets wss.close() finish within the shutdown grace despite a frozen client", async () => {
    const gateway = await startGateway(suite.runtime().attach(attachOptions({ boundedShutdown: true })));
    suite.track(gateway);
    const trace = collectTrace();
    const frozen = await rawPeer(gateway.port, { frozen: true });
    await firstServerSocket(gateway);

    // What the gateway's shutdown does: close every client, then await wss.close, then the HTTP server.
    const startedAt = performance.now();
    for (const socket of gateway.sockets) socket.close(1012, "service restart");
    await within(
      new Promise<void>((resolve) => gateway.wss.close(() => resolve())),
      FAST_CONFIG.shutdownGraceMs + SLACK_MS,
      "wss.close",
    );
    await within(new Promise<void>((resolve) => gateway.http.close(() => resolve())), SLACK_MS, "the port to be released");
    const tookMs = performance.now() - startedAt;
    trace.stop();

    // The frozen peer never reads, so only the server side can tell that its connection ended.
    assert.ok(gateway.sockets.every((socket) => socket.readyState === socket.CLOSED));
    frozen.socket.destroy();
    assert.ok(tookMs < FAST_CONFIG.shutdownGraceMs + SLACK_MS, `shutdown took ${Math.round(tookMs)} ms`);
    assert.ok(trace.events.some((event) => event.type === "shutdown"));
    assert.ok(trace.events.some((event) => event.type === "terminated" && event.mechanism === "bounded-shutdown"));
  });

  it("arms the bound from shutdownStarted for a server guardServer never saw", async () => {
    const hooks = suite.runtime().attach(attachOptions({ boundedShutdown: true }));
    const gateway = await startGateway(hooks, { guard: false });
    suite.track(gateway);
    const frozen = await rawPeer(gateway.port, { frozen: true });
    await firstServerSocket(gateway);

    hooks.shutdownStarted(gateway.wss);
    for (const socket of gateway.sockets) socket.close(1012, "service restart");
    await within(
      new Promise<void>((resolve) => gateway.wss.close(() => resolve())),
      FAST_CONFIG.shutdownGraceMs + SLACK_MS,
      "wss.close",
    );
    assert.ok(gateway.sockets.every((socket) => socket.readyState === socket.CLOSED));
    frozen.socket.destroy();
  });

  it("does nothing to a server that closes with no clients", async () => {
    const hooks = suite.runtime().attach(attachOptions({ boundedShutdown: true }));
    const wss = new WebSocketServer({ noServer: true });
    hooks.guardServer(wss, "canvas");
    await within(new Promise<void>((resolve) => wss.close(() => resolve())), SLACK_MS, "an empty wss to close");
  });
});
