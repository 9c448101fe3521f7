import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { WebSocketServer } from "ws";
import { RUNTIME_ENV, type GatewayCallbacks, type RuntimeModule } from "../../src/runtime/contract.js";
import {
  FAST_CONFIG,
  attachOptions,
  captureWarnings,
  healthyClient,
  loadRuntime,
  rawPeer,
  sleep,
  startGateway,
  within,
  type Gateway,
} from "./helpers.js";

const SLACK_MS = 2_000;
const ALL_FIXES = {
  heartbeat: true,
  enforceReleasePing: false,
  closeGrace: true,
  tcpKeepAlive: true,
  boundedShutdown: true,
  httpTimeouts: true,
};

/** Every value that must leave a hook silent, including objects that look almost right. */
const GARBAGE: unknown[] = [
  undefined,
  null,
  0,
  -1,
  Number.NaN,
  "gateway",
  Symbol("x"),
  10n,
  true,
  () => undefined,
  {},
  [],
  { readyState: 1 },
  { on: 1, close: 1 },
  { ping: () => undefined, close: () => undefined, terminate: () => undefined, on: () => undefined, readyState: "1" },
  { headersTimeout: "1", requestTimeout: null, server: 5, socket: { server: "x" } },
  Object.create(null),
];

function callEveryHookWith(hooks: GatewayCallbacks, values: unknown[]): void {
  for (const a of values) {
    hooks.guardServer(a, a as never);
    hooks.shutdownStarted(a);
    hooks.guardHttpServer?.(a);
    for (const b of values) {
      hooks.connectionOpened(a, b, b as never);
      hooks.closeStarted(a, b, b);
      hooks.closeObserved(a, b, b);
      hooks.errorObserved(a, b);
      hooks.upgradeStarted(a, b, a);
    }
  }
}

/** Throws on every operation: stands in for an object that breaks the runtime's internals. */
function hostileObject(): object {
  const fail = (): never => {
    throw new Error("hostile object");
  };
  return new Proxy({}, { get: fail, has: fail, ownKeys: fail, getPrototypeOf: fail, getOwnPropertyDescriptor: fail });
}

describe("hook safety", () => {
  let runtime: RuntimeModule;
  const gateways: Gateway[] = [];
  const savedEnv = { ...process.env };

  before(async () => {
    runtime = await loadRuntime();
  });
  afterEach(() => {
    for (const name of Object.values(RUNTIME_ENV)) {
      if (savedEnv[name] === undefined) delete process.env[name];
      else process.env[name] = savedEnv[name];
    }
  });
  after(async () => {
    for (const gateway of gateways) await gateway.stop();
  });

  it("makes every hook a no-op when OPENCLAW_PATCH_DISABLE=1", async () => {
    process.env[RUNTIME_ENV.disable] = "1";
    const hooks = runtime.attach(attachOptions(ALL_FIXES));
    const gateway = await startGateway(hooks);
    gateways.push(gateway);
    const serverSocket = gateway.nextSocket();
    const peer = await rawPeer(gateway.port);
    const socket = await serverSocket;
    await sleep(FAST_CONFIG.heartbeatMs + FAST_CONFIG.pongTimeoutMs * 3);
    assert.equal(peer.pings(), 0, "no heartbeat");
    assert.equal(socket.readyState, socket.OPEN, "the silent peer is left alone");
    for (const method of ["ping", "close"]) assert.equal(Object.hasOwn(socket, method), false, `${method} not wrapped`);
    assert.equal(Object.hasOwn(gateway.wss, "close"), false, "wss.close not wrapped");
    assert.equal(gateway.http.headersTimeout, 60_000, "HTTP timeouts untouched");
    peer.socket.destroy();
  });

  it("survives garbage arguments on every hook and stays active", async () => {
    const captured = captureWarnings();
    const hooks = runtime.attach(attachOptions(ALL_FIXES));
    assert.doesNotThrow(() => callEveryHookWith(hooks, GARBAGE));
    await sleep(10);
    captured.stop();
    assert.deepEqual(captured.warnings.filter((w) => w.code === "OCP_RUNTIME_HOOK_FAILED"), []);

    const gateway = await startGateway(hooks);
    gateways.push(gateway);
    const peer = await rawPeer(gateway.port);
    await within(peer.closed, FAST_CONFIG.heartbeatMs + FAST_CONFIG.pongTimeoutMs + SLACK_MS, "the heartbeat to still work");
  });

  it("survives garbage attach options by applying no fix", async () => {
    for (const options of GARBAGE) {
      const hooks = runtime.attach(options as never);
      assert.doesNotThrow(() => callEveryHookWith(hooks, GARBAGE.slice(0, 4)));
    }
    const hooks = runtime.attach({ fixes: { heartbeat: "yes" }, config: { heartbeatMs: -1 } } as never);
    const gateway = await startGateway(hooks);
    gateways.push(gateway);
    const peer = await rawPeer(gateway.port);
    await sleep(FAST_CONFIG.heartbeatMs * 2);
    assert.equal(peer.pings(), 0, "a fix that is not literally true stays off");
    peer.socket.destroy();
  });

  it("turns a hook that fails internally inert after one warning", async () => {
    const captured = captureWarnings();
    const hooks = runtime.attach(attachOptions(ALL_FIXES));
    assert.doesNotThrow(() => hooks.guardServer(hostileObject(), "gateway"));
    assert.doesNotThrow(() => hooks.guardServer(hostileObject(), "gateway"));
    const wss = new WebSocketServer({ noServer: true });
    hooks.guardServer(wss, "gateway");
    assert.doesNotThrow(() => runtime.attach(hostileObject() as never));
    await sleep(10);
    captured.stop();
    assert.equal(wss.listenerCount("connection"), 0, "the failed hook no longer acts");
    assert.equal(captured.warnings.filter((w) => w.code === "OCP_RUNTIME_HOOK_FAILED" && /guardServer/.test(w.message)).length, 1);
    wss.close();
  });

  it("guards a server and its sockets once when attach is called for two chunk copies", async () => {
    const first = runtime.attach(attachOptions({ heartbeat: true }));
    const second = runtime.attach(attachOptions({ heartbeat: true }));
    const bothHooks: GatewayCallbacks = {
      ...first,
      guardServer: (wss, kind) => {
        first.guardServer(wss, kind);
        second.guardServer(wss, kind);
      },
      connectionOpened: (socket, req, kind) => {
        first.connectionOpened(socket, req, kind);
        second.connectionOpened(socket, req, kind);
      },
    };
    const gateway = await startGateway(bothHooks);
    gateways.push(gateway);
    assert.equal(gateway.wss.listenerCount("connection"), 2, "one runtime listener plus the gateway's");
    const { client, pings } = await healthyClient(gateway.port);
    const observeMs = FAST_CONFIG.heartbeatMs * 5;
    await sleep(observeMs);
    assert.ok(pings() >= 2 && pings() <= observeMs / FAST_CONFIG.heartbeatMs + 1, `one heartbeat, got ${pings()} pings`);
    client.close();
  });

  it("takes durations from the environment and warns once about invalid ones", async () => {
    process.env[RUNTIME_ENV.heartbeatMs] = "150";
    process.env[RUNTIME_ENV.pongTimeoutMs] = "soon";
    process.env[RUNTIME_ENV.closeGraceMs] = "-5";
    const captured = captureWarnings();
    const hooks = runtime.attach(attachOptions({ heartbeat: true }, { heartbeatMs: 600_000 }));
    runtime.attach(attachOptions({ heartbeat: true }));
    await sleep(10);
    captured.stop();
    const invalid = captured.warnings.filter((w) => w.code === "OCP_RUNTIME_ENV_INVALID");
    assert.equal(invalid.length, 1);
    assert.match(invalid[0]!.message, /OPENCLAW_PATCH_PONG_TIMEOUT_MS/);
    assert.match(invalid[0]!.message, /OPENCLAW_PATCH_CLOSE_GRACE_MS/);

    const gateway = await startGateway(hooks);
    gateways.push(gateway);
    const { client, pings } = await healthyClient(gateway.port);
    await sleep(800);
    assert.ok(pings() >= 2, "the 150 ms heartbeat from the environment replaced the 10 min one");
    client.close();
  });
});
