/**
 * The contract between patched OpenClaw chunks and the injected runtime.
 *
 * Patched chunks load the runtime file (copied by apply to `openclaw-patch-runtime.mjs` at the package root)
 * with `createRequire(import.meta.url)`, call `attach(options)` once per chunk, and then call
 * the returned gateway callbacks. Every callback must be safe to call with any arguments and must
 * never throw: a failure inside one leaves the gateway's original behaviour in place. (These are not
 * the upgrade hook of src/hook, which re-applies the patch after an OpenClaw upgrade.)
 *
 * This file holds types only, so that the core (which generates the call sites) and the runtime
 * (which implements them) share one definition.
 */

export type ServerKind = "gateway" | "canvas";

/** Which lifecycle fixes the patched release needs; decided at apply time per release. */
export interface FixSelection {
  /** Send our own ping every heartbeatMs and terminate a peer with no pong within pongTimeoutMs. */
  heartbeat: boolean;
  /**
   * The release already pings: 2026.5.2–7.x never check the pong, 2026.8.1+ check it unreliably
   * (see fixes.ts). Enforce the pong of that ping instead of sending a second one.
   */
  enforceReleasePing: boolean;
  /** Every close the gateway starts is followed by terminate() after closeGraceMs; error ends in terminate. */
  closeGrace: boolean;
  /** setKeepAlive(true, keepAliveMs) on the raw TCP socket. */
  tcpKeepAlive: boolean;
  /** Lingering clients are terminated shutdownGraceMs after shutdown starts. */
  boundedShutdown: boolean;
  /** headersTimeout / requestTimeout on the gateway's HTTP server. */
  httpTimeouts: boolean;
}

export interface RuntimeConfig {
  heartbeatMs: number;
  pongTimeoutMs: number;
  closeGraceMs: number;
  keepAliveMs: number;
  shutdownGraceMs: number;
  headersTimeoutMs: number;
  /**
   * A socket given up on (a fix's terminate, the release's own terminate, an expired first
   * request) is reset rather than closed gracefully, so the kernel keeps no orphan behind it.
   */
  abortiveClose: boolean;
}

/** The settings that are durations in milliseconds; every other setting is an on/off switch. */
export type DurationSetting = Exclude<keyof RuntimeConfig, "abortiveClose">;

export const DURATION_SETTINGS: readonly DurationSetting[] = ["heartbeatMs", "pongTimeoutMs", "closeGraceMs", "keepAliveMs", "shutdownGraceMs", "headersTimeoutMs"];

export interface AttachOptions {
  /** openclaw-patch version that wrote the chunk. */
  toolVersion: string;
  /** OpenClaw release the chunk belongs to, e.g. "2026.3.24". */
  release: string;
  /** Path of the patched chunk relative to the package root, for warnings and traces. */
  chunk: string;
  /** Ids of the patches applied to this chunk. */
  patches: string[];
  fixes: FixSelection;
  /** Values chosen at apply time; environment variables override them when the gateway starts. */
  config: RuntimeConfig;
}

/** Environment variables read by the runtime when the gateway starts. */
export const RUNTIME_ENV = {
  disable: "OPENCLAW_PATCH_DISABLE",
  heartbeatMs: "OPENCLAW_PATCH_HEARTBEAT_MS",
  pongTimeoutMs: "OPENCLAW_PATCH_PONG_TIMEOUT_MS",
  closeGraceMs: "OPENCLAW_PATCH_CLOSE_GRACE_MS",
  keepAliveMs: "OPENCLAW_PATCH_KEEPALIVE_MS",
  shutdownGraceMs: "OPENCLAW_PATCH_SHUTDOWN_GRACE_MS",
  headersTimeoutMs: "OPENCLAW_PATCH_HEADERS_TIMEOUT_MS",
  abortiveClose: "OPENCLAW_PATCH_ABORTIVE_CLOSE",
  trace: "OPENCLAW_PATCH_TRACE",
  traceFile: "OPENCLAW_PATCH_TRACE_FILE",
} as const;

export const DEFAULT_RUNTIME_CONFIG: RuntimeConfig = {
  heartbeatMs: 30_000,
  pongTimeoutMs: 10_000,
  closeGraceMs: 2_000,
  keepAliveMs: 30_000,
  shutdownGraceMs: 2_000,
  headersTimeoutMs: 15_000,
  abortiveClose: true,
};

/**
 * Gateway callbacks: the calls patched chunks make into the runtime. Arguments are the chunk's own objects:
 * `wss` a ws WebSocketServer, `socket` a ws WebSocket, `rawSocket` a net.Socket,
 * `req` an http.IncomingMessage, `httpServer` an http(s).Server.
 */
export interface GatewayCallbacks {
  /** Right after `new WebSocketServer(...)` of the gateway or the canvas live-reload server. */
  guardServer(wss: unknown, kind: ServerKind): void;
  /** First statement of the gateway's `wss.on("connection", (socket, upgradeReq) => …)` callback. */
  connectionOpened(socket: unknown, upgradeReq: unknown, kind: ServerKind): void;
  /** The gateway accepted the peer's connect request (setClient). */
  clientAuthenticated?(socket: unknown, client: unknown): void;
  /** The gateway's close helper was called (the gateway starts a close). */
  closeStarted(socket: unknown, code: unknown, reason: unknown): void;
  /** The gateway's `once("close")` handler runs. */
  closeObserved(socket: unknown, code: unknown, reason: unknown): void;
  /** The gateway's `once("error")` handler runs. */
  errorObserved(socket: unknown, error: unknown): void;
  /**
   * Just before the gateway registers its upgrade handler on an HTTP server: header/request timeouts
   * and a deadline for connections that never complete a request (a half-sent upgrade).
   */
  guardHttpServer?(httpServer: unknown): void;
  /** First statement of `httpServer.on("upgrade", (req, socket, head) => …)`. */
  upgradeStarted(req: unknown, rawSocket: unknown, httpServer: unknown): void;
  /** Start of the gateway's shutdown loop over clients (`c.socket.close(1012, "service restart")`). */
  shutdownStarted(wss: unknown): void;
}

export interface RuntimeModule {
  attach(options: AttachOptions): GatewayCallbacks;
}
