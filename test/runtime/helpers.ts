/**
 * Shared fixtures for the runtime tests: they load the bundled runtime (the file that ships), host
 * it the way a patched gateway chunk does, and drive it with real and hand-rolled loopback peers.
 */
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import { after, before } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import type { AttachOptions, FixSelection, RuntimeConfig, GatewayCallbacks, RuntimeModule } from "../../src/runtime/contract.js";
import { runtimeStateOnGlobal } from "../../src/runtime/shared-state.js";
import { OPCODE, ServerFrameReader } from "../../src/wire/ws-frames.js";
import { upgradeToWebSocket } from "../../src/wire/ws-upgrade.js";

export const LOOPBACK = "127.0.0.1";

export const NO_FIXES: FixSelection = {
  heartbeat: false,
  enforceReleasePing: false,
  closeGrace: false,
  tcpKeepAlive: false,
  boundedShutdown: false,
  httpTimeouts: false,
};

export const FAST_CONFIG: RuntimeConfig = {
  heartbeatMs: 200,
  pongTimeoutMs: 200,
  closeGraceMs: 200,
  keepAliveMs: 1_000,
  shutdownGraceMs: 200,
  headersTimeoutMs: 1_000,
  abortiveClose: true,
};

export async function loadRuntime(): Promise<RuntimeModule> {
  // Run outside scripts/run-tests.mjs, the runtime would trace into the real ~/.openclaw/logs.
  process.env.OPENCLAW_PATCH_TRACE_FILE ??= path.join(os.tmpdir(), `ocp-runtime-test-${process.pid}.jsonl`);
  // The bundle has no type declarations; the contract types describe what it exports.
  const bundle = new URL("../../runtime/openclaw-patch-runtime.mjs", import.meta.url);
  return (await import(bundle.href)) as RuntimeModule;
}

/**
 * The runtime and the miniature gateways of one describe block: the runtime loads before its first
 * test, and every gateway a test tracks is stopped after its last.
 */
export function runtimeSuite(): { runtime(): RuntimeModule; track(...gateways: Gateway[]): void } {
  let runtime: RuntimeModule | undefined;
  const gateways: Gateway[] = [];
  before(async () => {
    runtime = await loadRuntime();
  });
  after(async () => {
    for (const gateway of gateways) await gateway.stop();
  });
  return {
    runtime: () => {
      if (runtime === undefined) throw new Error("the runtime is loaded in before(): use it inside a test");
      return runtime;
    },
    track: (...started) => void gateways.push(...started),
  };
}

export function attachOptions(fixes: Partial<FixSelection>, config: Partial<RuntimeConfig> = {}): AttachOptions {
  return {
    toolVersion: "0.0.0-test",
    release: "2026.3.24",
    chunk: "dist/test-chunk.js",
    patches: ["test"],
    fixes: { ...NO_FIXES, ...fixes },
    config: { ...FAST_CONFIG, ...config },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects after `ms` instead of letting a broken fix hang the test run. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Spins the event loop's only thread, the way a synchronous hot path in the gateway would. */
export function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy-wait on purpose
  }
}

export interface TracedEvent {
  type: string;
  mechanism?: string;
  connectionId?: number;
  [key: string]: unknown;
}

/**
 * Plugs a collecting sink into the runtime's process-wide state, the extension point that file
 * tracing will use later.
 */
export function collectTrace(): { events: TracedEvent[]; stop(): void } {
  const state = runtimeStateOnGlobal() as { traceSinks: Set<(event: TracedEvent, time: number) => void> } | undefined;
  if (state === undefined) throw new Error("runtime state not initialised: call attach() first");
  const events: TracedEvent[] = [];
  const sink = (event: TracedEvent, time: number): void => void events.push({ ...event, time });
  state.traceSinks.add(sink);
  return { events, stop: () => void state.traceSinks.delete(sink) };
}

export interface CapturedWarning {
  code: string | undefined;
  message: string;
}

/** Warnings are emitted on a later tick; read `warnings` after an await. */
export function captureWarnings(): { warnings: CapturedWarning[]; stop(): void } {
  const warnings: CapturedWarning[] = [];
  const listener = (warning: Error & { code?: string }): void => void warnings.push({ code: warning.code, message: warning.message });
  process.on("warning", listener);
  return { warnings, stop: () => void process.off("warning", listener) };
}

export interface Gateway {
  port: number;
  http: Server;
  wss: WebSocketServer;
  /** Server-side sockets, in connection order. */
  sockets: WebSocket[];
  nextSocket(): Promise<WebSocket>;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** Call guardServer right after creating the server, as patched chunks do (default true). */
  guard?: boolean;
  /** Call guardHttpServer before registering the upgrade handler (default true). */
  guardHttp?: boolean;
  onSocket?(socket: WebSocket): void;
  /** Sees the raw upgrade socket before the upgradeStarted hook does. */
  beforeUpgrade?(rawSocket: Duplex): void;
}

/** A miniature gateway: HTTP server, noServer wss, and the hook call sites a patched chunk has. */
export async function startGateway(hooks: GatewayCallbacks, options: GatewayOptions = {}): Promise<Gateway> {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  if (options.guard !== false) hooks.guardServer(wss, "gateway");
  const sockets: WebSocket[] = [];
  const waiters: ((socket: WebSocket) => void)[] = [];

  wss.on("connection", (socket, upgradeReq) => {
    hooks.connectionOpened(socket, upgradeReq, "gateway");
    socket.once("close", (code, reason) => hooks.closeObserved(socket, code, reason));
    socket.once("error", (error) => hooks.errorObserved(socket, error));
    sockets.push(socket);
    options.onSocket?.(socket);
    waiters.shift()?.(socket);
  });
  if (options.guardHttp !== false) hooks.guardHttpServer?.(http);
  http.on("upgrade", (req, rawSocket, head) => {
    options.beforeUpgrade?.(rawSocket);
    hooks.upgradeStarted(req, rawSocket, http);
    wss.handleUpgrade(req, rawSocket, head, (socket) => wss.emit("connection", socket, req));
  });
  await new Promise<void>((resolve) => http.listen(0, LOOPBACK, resolve));
  const port = (http.address() as AddressInfo).port;

  return {
    port,
    http,
    wss,
    sockets,
    nextSocket: () => within(new Promise<WebSocket>((resolve) => waiters.push(resolve)), 3_000, "a server-side connection"),
    stop: async () => {
      for (const socket of sockets) socket.terminate();
      await within(new Promise<void>((resolve) => wss.close(() => resolve())), 3_000, "wss.close").catch(() => undefined);
      http.closeAllConnections();
      await within(new Promise<void>((resolve) => http.close(() => resolve())), 3_000, "http.close").catch(() => undefined);
    },
  };
}

export interface RawPeer {
  socket: Socket;
  pings(): number;
  closeFrames(): number;
  /** Resolves with performance.now() when the TCP connection is gone. */
  closed: Promise<number>;
}

/**
 * A WebSocket peer built from a bare TCP socket: it completes the upgrade and then does nothing
 * a real client library would do on its own (no pong, no close reply).
 * `frozen` stops reading right after the upgrade, like a SIGSTOPped process whose kernel still ACKs.
 */
export async function rawPeer(port: number, options: { frozen?: boolean } = {}): Promise<RawPeer> {
  const socket = connect({ host: LOOPBACK, port });
  socket.on("error", () => undefined);
  const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(performance.now())));
  let pings = 0;
  let closeFrames = 0;
  const frames = new ServerFrameReader();
  const countFrames = (bytes: Buffer): void => {
    for (const frame of frames.push(bytes)) {
      if (frame.opcode === OPCODE.ping) pings += 1;
      if (frame.opcode === OPCODE.close) closeFrames += 1;
    }
  };
  const leftover = await within(upgradeToWebSocket(socket, { host: LOOPBACK, port }), 3_000, "the raw upgrade");
  if (options.frozen) socket.pause();
  socket.on("data", countFrames);
  countFrames(leftover);
  return { socket, pings: () => pings, closeFrames: () => closeFrames, closed };
}

/** Enough unread data that a frozen peer's receive window closes and the gateway's send queue fills behind it. */
const FLOOD_BYTES = 16 << 20;
const FLOOD_CHUNK = 256 << 10;

/** Sends until the frozen peer's kernel stops taking data: its window is closed and our queue is full. */
export async function floodUntilWindowCloses(socket: WebSocket): Promise<void> {
  for (let sent = 0; sent < FLOOD_BYTES; sent += FLOOD_CHUNK) socket.send(Buffer.alloc(FLOOD_CHUNK));
  await sleep(300);
  if (!(socket.bufferedAmount > 0)) throw new Error("the peer's window never closed: nothing stayed queued");
}

/** A well-behaved client: the ws library answers pings and close frames by itself. */
export async function healthyClient(port: number): Promise<{ client: WebSocket; pings(): number }> {
  const client = new WebSocket(`ws://${LOOPBACK}:${port}/`);
  let pings = 0;
  client.on("ping", () => void (pings += 1));
  client.on("error", () => undefined);
  await within(new Promise<void>((resolve, reject) => {
    client.once("open", () => resolve());
    client.once("error", reject);
  }), 3_000, "the client to open");
  return { client, pings: () => pings };
}
