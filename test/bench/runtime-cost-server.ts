// Hosts the shipped runtime the way a patched gateway chunk does (guardServer, guardHttpServer,
// upgradeStarted, connectionOpened, clientAuthenticated, closeObserved, errorObserved) around the
// install's own ws, and nothing else: what the gateway does per connection is left out on purpose,
// so the instructions this process spends per connection are the runtime's plus a bare ws server's.
// Run by runtime-cost.ts with the gateway's Node: OCP_COST_WS (ws's entry), OCP_COST_RUNTIME (the
// runtime file, or "none" for the bare server).
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { GatewayCallbacks, RuntimeModule } from "../../src/runtime/contract.js";

interface WsSocket {
  once(event: string, listener: (...args: unknown[]) => void): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
  send(data: string): void;
}

interface WsServer {
  handleUpgrade(req: unknown, socket: unknown, head: unknown, done: (socket: WsSocket) => void): void;
  emit(event: string, ...args: unknown[]): boolean;
  on(event: "connection", listener: (socket: WsSocket, req: unknown) => void): void;
}

const FIXES = { heartbeat: true, enforceReleasePing: false, closeGrace: true, tcpKeepAlive: true, boundedShutdown: true, httpTimeouts: true };
const CONFIG = { heartbeatMs: 30_000, pongTimeoutMs: 10_000, closeGraceMs: 2_000, keepAliveMs: 30_000, shutdownGraceMs: 2_000, headersTimeoutMs: 15_000, abortiveClose: true };

async function loadHooks(runtimeFile: string): Promise<GatewayCallbacks | undefined> {
  if (runtimeFile === "none") return undefined;
  const runtime = (await import(pathToFileURL(runtimeFile).href)) as RuntimeModule;
  return runtime.attach({ toolVersion: "bench", release: "bench", chunk: "bench", patches: ["bench"], fixes: FIXES, config: CONFIG });
}

const { WebSocketServer } = createRequire(import.meta.url)(process.env.OCP_COST_WS!) as { WebSocketServer: new (options: object) => WsServer };
const hooks = await loadHooks(process.env.OCP_COST_RUNTIME!);
const server = createServer();
const wss = new WebSocketServer({ noServer: true });
hooks?.guardServer(wss, "gateway");
hooks?.guardHttpServer?.(server);
server.on("upgrade", (req, socket, head) => {
  hooks?.upgradeStarted(req, socket, server);
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
});
wss.on("connection", (socket, req) => {
  hooks?.connectionOpened(socket, req, "gateway");
  // The labels the gateway's client object carries, so identity tracing does its real work.
  const client = { connId: randomUUID(), connect: { role: "operator", client: { id: "openclaw-control-ui", mode: "webchat", version: "2026.3.24", platform: "linux" } } };
  socket.once("close", (code, reason) => hooks?.closeObserved(socket, code, reason));
  socket.once("error", (error) => hooks?.errorObserved(socket, error));
  socket.once("message", () => {
    hooks?.clientAuthenticated?.(socket, client);
    socket.send(JSON.stringify({ type: "hello-ok", connId: client.connId }));
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ port: typeof address === "object" && address !== null ? address.port : 0 });
});
process.on("message", (message) => {
  if (message === "exit") process.exit(0);
});
