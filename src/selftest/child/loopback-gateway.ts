import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { WebSocket, WebSocketServer } from "ws";
import type { GatewayCallbacks } from "../../runtime/contract.js";
import type { PackageWs } from "./ws-of-package.js";

/** A real ws server on loopback with the call sites a patched gateway chunk has. */
export interface LoopbackGateway {
  port: number;
  http: Server;
  wss: WebSocketServer;
  /** Every socket the server accepted, for the final clean-up. */
  serverSockets: WebSocket[];
  /** The server's end of the next connection. */
  nextServerSocket(): Promise<WebSocket>;
}

export async function startLoopbackGateway(ws: PackageWs, callbacks: GatewayCallbacks): Promise<LoopbackGateway> {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new ws.WebSocketServer({ noServer: true });
  callbacks.guardServer(wss, "gateway");
  const serverSockets: WebSocket[] = [];
  const waiters: ((socket: WebSocket) => void)[] = [];
  wss.on("connection", (socket: WebSocket, req: IncomingMessage) => {
    callbacks.connectionOpened(socket, req, "gateway");
    socket.once("close", (code: number, reason: Buffer) => callbacks.closeObserved(socket, code, reason));
    socket.once("error", (error: Error) => callbacks.errorObserved(socket, error));
    socket.on("error", () => undefined);
    serverSockets.push(socket);
    const waiter = waiters.shift();
    if (waiter) waiter(socket);
  });
  if (callbacks.guardHttpServer) callbacks.guardHttpServer(http);
  http.on("upgrade", (req: IncomingMessage, rawSocket, head: Buffer) => {
    callbacks.upgradeStarted(req, rawSocket, http);
    wss.handleUpgrade(req, rawSocket, head, (socket: WebSocket) => wss.emit("connection", socket, req));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    port: (http.address() as AddressInfo).port,
    http,
    wss,
    serverSockets,
    nextServerSocket: () => new Promise((resolve) => waiters.push(resolve)),
  };
}

export async function openClient(ws: PackageWs, port: number): Promise<WebSocket> {
  const client = new ws.WebSocket(`ws://127.0.0.1:${port}/`);
  client.on("error", () => undefined);
  await new Promise((resolve, reject) => {
    client.once("open", resolve);
    client.once("error", reject);
  });
  return client;
}
