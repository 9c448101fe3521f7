import assert from "node:assert/strict";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { after, describe, it } from "node:test";
import type { Duplex } from "node:stream";
import { FAST_CONFIG, LOOPBACK, attachOptions, healthyClient, sleep, startGateway, within, runtimeSuite } from "./helpers.js";

const SLACK_MS = 2_000;

describe("HTTP server fixes", () => {
  const suite = runtimeSuite();

  it("lowers HTTP timeouts on upgrade without raising stricter ones, and enables TCP keepalive", async () => {
    // Spied on the TCP handle, where the setsockopt calls happen: the upgrade hook and the socket
    // guard both ask for keepalive, and Node must pass it to the kernel only once.
    const keepAliveCalls: unknown[][] = [];
    const spyOnKeepAlive = (rawSocket: Duplex): void => {
      const handle = (rawSocket as Duplex & { _handle: { setKeepAlive(...args: unknown[]): unknown } })._handle;
      const original = handle.setKeepAlive.bind(handle);
      handle.setKeepAlive = (...args: unknown[]) => {
        keepAliveCalls.push(args);
        return original(...args);
      };
    };
    const hooks = suite.runtime().attach(attachOptions({ httpTimeouts: true, tcpKeepAlive: true }));
    const lenient = await startGateway(hooks, { guardHttp: false, beforeUpgrade: spyOnKeepAlive });
    const strict = await startGateway(hooks, { guardHttp: false });
    suite.track(lenient, strict);
    strict.http.headersTimeout = 500;

    const lenientClient = await healthyClient(lenient.port);
    const strictClient = await healthyClient(strict.port);
    assert.equal(lenient.http.headersTimeout, FAST_CONFIG.headersTimeoutMs);
    assert.equal(lenient.http.requestTimeout, 300_000, "whole-request deadline left to Node's default");
    assert.equal(strict.http.headersTimeout, 500, "a stricter value is kept");
    assert.equal(strict.http.requestTimeout, 300_000);
    assert.deepEqual(keepAliveCalls, [[true, FAST_CONFIG.keepAliveMs / 1000]], "keepalive reaches the kernel once per raw socket, in seconds");
    lenientClient.client.close();
    strictClient.client.close();
  });

  it("drops a half-sent upgrade request at the headers deadline (Node alone sweeps every 30 s)", async () => {
    const gateway = await startGateway(suite.runtime().attach(attachOptions({ httpTimeouts: true })));
    suite.track(gateway);
    assert.equal(gateway.http.headersTimeout, FAST_CONFIG.headersTimeoutMs, "guardHttpServer lowered the timeout");

    const socket = connect({ host: LOOPBACK, port: gateway.port });
    socket.on("error", () => undefined);
    const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(performance.now())));
    await within(new Promise<void>((resolve) => socket.once("connect", () => resolve())), SLACK_MS, "connect");
    const sentAt = performance.now();
    socket.write(`GET / HTTP/1.1\r\nHost: ${LOOPBACK}\r\nUpgrade: websocket\r\n`);
    const closedAt = await within(closed, FAST_CONFIG.headersTimeoutMs + SLACK_MS, "the half-sent request to be dropped");
    assert.ok(closedAt - sentAt >= FAST_CONFIG.headersTimeoutMs - 100, "the request had its whole deadline");
  });

  it("leaves completed upgrades and requests alone after the deadline", async () => {
    const gateway = await startGateway(suite.runtime().attach(attachOptions({ httpTimeouts: true })));
    suite.track(gateway);
    const { client } = await healthyClient(gateway.port);

    const keptAlive = connect({ host: LOOPBACK, port: gateway.port });
    keptAlive.on("error", () => undefined);
    let responded = false;
    let keptAliveClosed = false;
    keptAlive.on("data", () => void (responded = true));
    keptAlive.once("close", () => void (keptAliveClosed = true));
    keptAlive.write(`GET /missing HTTP/1.1\r\nHost: ${LOOPBACK}\r\nConnection: keep-alive\r\n\r\n`);

    await sleep(FAST_CONFIG.headersTimeoutMs + 300);
    assert.equal(client.readyState, client.OPEN, "the upgraded connection outlived the deadline");
    assert.ok(responded, "the plain request was answered");
    // Node's own keepAliveTimeout (5 s) may end the idle keep-alive connection later; not us.
    assert.equal(keptAliveClosed, false, "the answered keep-alive connection outlived the deadline");
    client.close();
    keptAlive.destroy();
  });
});
