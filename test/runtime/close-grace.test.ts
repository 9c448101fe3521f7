import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { after, describe, it } from "node:test";
import {
  FAST_CONFIG,
  attachOptions,
  collectTrace,
  healthyClient,
  rawPeer,
  sleep,
  startGateway,
  within,
  type Gateway,
  runtimeSuite,
} from "./helpers.js";

const SLACK_MS = 2_000;

describe("closeGrace", () => {
  const suite = runtimeSuite();

  async function gateway(): Promise<Gateway> {
    const started = await startGateway(suite.runtime().attach(attachOptions({ closeGrace: true })));
    suite.track(started);
    return started;
  }

  it("terminates a peer that never answers the close frame (ws alone waits 30 s)", async () => {
    const { port, nextSocket } = await gateway();
    const trace = collectTrace();
    const serverSocket = nextSocket();
    const peer = await rawPeer(port);
    const socket = await serverSocket;
    const closeStartedAt = performance.now();
    socket.close(1008, "slow consumer");
    const closedAt = await within(peer.closed, FAST_CONFIG.closeGraceMs + SLACK_MS, "the peer to be dropped");
    trace.stop();
    assert.equal(peer.closeFrames(), 1, "the peer did receive the close frame");
    assert.ok(closedAt - closeStartedAt >= FAST_CONFIG.closeGraceMs - 20, "the peer had the whole grace");
    assert.ok(trace.events.some((event) => event.type === "terminated" && event.mechanism === "close-grace"));
  });

  it("lets a peer that completes the close handshake close normally", async () => {
    const { port, nextSocket } = await gateway();
    const trace = collectTrace();
    const serverSocket = nextSocket();
    const { client } = await healthyClient(port);
    const socket = await serverSocket;
    const clientClosed = new Promise<number>((resolve) => client.once("close", (code) => resolve(code)));
    socket.close(1000, "bye");
    assert.equal(await within(clientClosed, SLACK_MS, "the client to close"), 1000);
    await sleep(FAST_CONFIG.closeGraceMs * 2);
    trace.stop();
    assert.deepEqual(trace.events.filter((event) => event.type === "terminated"), []);
  });

  it("ends a socket that emitted an error with terminate, keeping the gateway's error handler", async () => {
    const { port, nextSocket } = await gateway();
    const serverSocket = nextSocket();
    const peer = await rawPeer(port);
    const socket = await serverSocket;
    let gatewaySawError = false;
    socket.on("error", () => void (gatewaySawError = true));
    socket.emit("error", new Error("simulated transport error"));
    await within(peer.closed, SLACK_MS, "the peer to be dropped after the error");
    assert.ok(gatewaySawError);
  });

  it("arms the grace from the closeStarted hook as well", async () => {
    const hooks = suite.runtime().attach(attachOptions({ closeGrace: true }));
    const started = await startGateway(hooks);
    suite.track(started);
    const serverSocket = started.nextSocket();
    const peer = await rawPeer(started.port);
    const socket = await serverSocket;
    hooks.closeStarted(socket, 1012, "service restart");
    // A close path the wrapper cannot see: the frame goes out, ws is left waiting for the reply.
    Object.getPrototypeOf(socket).close.call(socket, 1012, "service restart");
    await within(peer.closed, FAST_CONFIG.closeGraceMs + SLACK_MS, "the peer to be dropped");
  });
});
