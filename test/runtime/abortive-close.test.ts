import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, describe, it } from "node:test";
import type { WebSocket } from "ws";
import type { FixSelection } from "../../src/runtime/contract.js";
import { resolveRuntimeConfig } from "../../src/runtime/config.js";
import { gatewaySideSockets, readTcpSockets, type TcpSocketEntry } from "../support/socket-table.js";
import { FAST_CONFIG, LOOPBACK, attachOptions, collectTrace, floodUntilWindowCloses, healthyClient, rawPeer, sleep, startGateway, within, type Gateway, type RawPeer, runtimeSuite } from "./helpers.js";

const SLACK_MS = 2_000;
/** The gateway's end of the peer's connection as the kernel lists it, TIME_WAIT aside (orphans included). */
function kernelRows(gateway: Gateway, peer: RawPeer): TcpSocketEntry[] {
  const port = peer.socket.localPort;
  assert.ok(port !== undefined);
  return (gatewaySideSockets(gateway.port, [port]).get(port) ?? []).filter((row) => row.state !== "TIME_WAIT");
}

function describeRows(rows: readonly TcpSocketEntry[]): string {
  return rows.map((row) => `${row.state} sendQ=${row.sendQueue}`).join(", ") || "none";
}

function serverClosed(server: WebSocket): Promise<void> {
  return new Promise((resolve) => server.once("close", () => resolve()));
}

/**
 * The peer's own end as its kernel lists it. A reset closes it there at once (a socket in CLOSE is
 * no longer listed), while a graceful close leaves it ESTABLISHED: the FIN waits behind the data
 * the full window holds back. A frozen peer cannot be asked instead: Linux hands it the queued data
 * and then an end of stream, not ECONNRESET.
 */
function peerRows(gateway: Gateway, peer: RawPeer): TcpSocketEntry[] {
  return readTcpSockets().filter((row) => row.localPort === peer.socket.localPort && row.remotePort === gateway.port);
}

describe("abortive close: sockets the fixes give up on leave no orphan in the kernel", () => {
  const suite = runtimeSuite();

  async function gatewayWith(abortiveClose: boolean, fixes: Partial<FixSelection> = { heartbeat: true, closeGrace: true }): Promise<Gateway> {
    const gateway = await startGateway(suite.runtime().attach(attachOptions(fixes, { abortiveClose })));
    suite.track(gateway);
    return gateway;
  }

  async function frozenPeerWithFullWindow(gateway: Gateway): Promise<{ peer: RawPeer; server: WebSocket }> {
    const serverSide = gateway.nextSocket();
    const peer = await rawPeer(gateway.port, { frozen: true });
    const server = await serverSide;
    await floodUntilWindowCloses(server);
    return { peer, server };
  }

  it("resets a frozen peer whose window is full: the kernel frees the socket and its queue at once", async () => {
    const gateway = await gatewayWith(true);
    const trace = collectTrace();
    const { peer, server } = await frozenPeerWithFullWindow(gateway);
    await within(serverClosed(server), FAST_CONFIG.heartbeatMs + FAST_CONFIG.pongTimeoutMs + SLACK_MS, "the frozen peer to be dropped");
    trace.stop();
    assert.deepEqual(kernelRows(gateway, peer), [], "no gateway-side row left in the kernel");
    assert.deepEqual(peerRows(gateway, peer), [], "the peer's kernel got the reset");
    const terminated = trace.events.find((event) => event.type === "terminated");
    assert.equal(terminated?.mechanism, "heartbeat");
    assert.equal(terminated?.reset, true, "the trace says the socket was reset");
    assert.ok(typeof terminated?.bufferedAmount === "number" && terminated.bufferedAmount > 0, "and how much it discarded");
  });

  it("baseline, abortive close off: the same peer leaves an orphan holding its queue", async () => {
    const gateway = await gatewayWith(false);
    const trace = collectTrace();
    const { peer, server } = await frozenPeerWithFullWindow(gateway);
    await within(serverClosed(server), FAST_CONFIG.heartbeatMs + FAST_CONFIG.pongTimeoutMs + SLACK_MS, "the gateway to let go of the peer");
    trace.stop();
    await sleep(300);
    const rows = kernelRows(gateway, peer);
    assert.ok(rows.length === 1 && rows[0]!.state === "FIN_WAIT1" && rows[0]!.inode === 0 && rows[0]!.sendQueue > 0, `an orphan in FIN_WAIT1 with its queue: ${describeRows(rows)}`);
    assert.deepEqual(peerRows(gateway, peer).map((row) => row.state), ["ESTABLISHED"], "no reset reached the peer");
    assert.equal(trace.events.find((event) => event.type === "terminated")?.reset, false);
    peer.socket.destroy();
  });

  it("resets a frozen peer that never answers the gateway's close frame (close grace)", async () => {
    const gateway = await gatewayWith(true, { heartbeat: false, closeGrace: true });
    const serverSide = gateway.nextSocket();
    const peer = await rawPeer(gateway.port, { frozen: true });
    const server = await serverSide;
    await floodUntilWindowCloses(server);
    server.close(1000, "bye");
    await within(serverClosed(server), FAST_CONFIG.closeGraceMs + SLACK_MS, "the peer to be dropped after the grace");
    assert.deepEqual(kernelRows(gateway, peer), []);
    assert.deepEqual(peerRows(gateway, peer), [], "the peer's kernel got the reset");
  });

  it("resets on the release's own terminate of a guarded socket, traced as the release's", async () => {
    const gateway = await gatewayWith(true, { heartbeat: false, closeGrace: false });
    const trace = collectTrace();
    const { peer, server } = await frozenPeerWithFullWindow(gateway);
    const closed = serverClosed(server);
    server.terminate();
    await within(closed, SLACK_MS, "the peer to be dropped");
    trace.stop();
    assert.deepEqual(kernelRows(gateway, peer), []);
    assert.deepEqual(peerRows(gateway, peer), [], "the peer's kernel got the reset");
    const terminated = trace.events.filter((event) => event.type === "terminated");
    assert.deepEqual(terminated.map((event) => [event.mechanism, event.reset]), [["release", true]]);
  });

  it("a close the peer completes keeps its FIN: the healthy client sees a clean close, no reset", async () => {
    const gateway = await gatewayWith(true);
    const serverSide = gateway.nextSocket();
    const { client } = await healthyClient(gateway.port);
    const server = await serverSide;
    const errors: string[] = [];
    client.on("error", (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    const rawClient = (client as unknown as { _socket: { once(event: "end", listener: () => void): void } })._socket;
    let orderlyEnd = false;
    rawClient.once("end", () => void (orderlyEnd = true));
    const closed = new Promise<number>((resolve) => client.once("close", (code) => resolve(code)));
    server.close(1000, "done");
    assert.equal(await within(closed, SLACK_MS, "the healthy client to close"), 1000);
    await sleep(FAST_CONFIG.closeGraceMs + 300);
    assert.deepEqual(errors, [], "no ECONNRESET on the healthy client");
    assert.ok(orderlyEnd, "the client read an orderly end of stream (FIN)");
  });

  it("a close the peer starts and completes keeps its FIN too", async () => {
    const gateway = await gatewayWith(true);
    const { client } = await healthyClient(gateway.port);
    const errors: string[] = [];
    client.on("error", (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    const closed = new Promise<number>((resolve) => client.once("close", (code) => resolve(code)));
    client.close(1000, "leaving");
    assert.equal(await within(closed, SLACK_MS, "the close handshake"), 1000);
    await sleep(FAST_CONFIG.closeGraceMs + 300);
    assert.deepEqual(errors, []);
  });

  it("resets a connection that never completes its upgrade request", async () => {
    const gateway = await gatewayWith(true, { httpTimeouts: true });
    const socket = connect({ host: LOOPBACK, port: gateway.port });
    let code: string | undefined;
    socket.on("error", (error: NodeJS.ErrnoException) => void (code ??= error.code));
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write(`GET / HTTP/1.1\r\nHost: ${LOOPBACK}\r\nUpgrade: websocket\r\nConnection: Upg`);
    await within(new Promise<void>((resolve) => socket.once("close", () => resolve())), FAST_CONFIG.headersTimeoutMs + SLACK_MS, "the half-sent request to be dropped");
    assert.equal(code, "ECONNRESET");
  });
});

describe("abortive close setting", () => {
  it("is on by default, follows the apply-time value, and OPENCLAW_PATCH_ABORTIVE_CLOSE overrides it", () => {
    assert.equal(resolveRuntimeConfig({}, {}).abortiveClose, true);
    assert.equal(resolveRuntimeConfig({ abortiveClose: false }, {}).abortiveClose, false);
    assert.equal(resolveRuntimeConfig({ abortiveClose: false }, { OPENCLAW_PATCH_ABORTIVE_CLOSE: "on" }).abortiveClose, true);
    assert.equal(resolveRuntimeConfig({}, { OPENCLAW_PATCH_ABORTIVE_CLOSE: "off" }).abortiveClose, false);
    assert.equal(resolveRuntimeConfig({}, { OPENCLAW_PATCH_ABORTIVE_CLOSE: "0" }).abortiveClose, false);
  });

  it("a bad value is ignored with a warning, keeping the apply-time value", () => {
    assert.equal(resolveRuntimeConfig({ abortiveClose: false }, { OPENCLAW_PATCH_ABORTIVE_CLOSE: "maybe" }).abortiveClose, false);
  });
});
