import { createHash, randomBytes } from "node:crypto";
import type { Socket } from "node:net";

const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

export interface UpgradeRequest {
  /** The Host header's host and port. */
  host: string;
  port: number;
  /** Default "/". */
  path?: string;
  /** Added after the WebSocket headers (User-Agent, Origin, …). */
  headers?: Record<string, string>;
  /** Without it the upgrade waits as long as the socket lives: callers with their own deadline. */
  timeoutMs?: number;
}

/**
 * Sends the HTTP upgrade request on a connected socket and waits for the 101 response with the right
 * accept key. Resolves with the bytes after the response head: the server's first frame often shares a
 * packet with it. The socket's data listener is removed before resolving, so the caller reads from
 * there on (the continuation runs before the next chunk can arrive).
 */
export function upgradeToWebSocket(socket: Socket, request: UpgradeRequest): Promise<Buffer> {
  const key = randomBytes(16).toString("base64");
  const expectedAccept = createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
  const hostHeader = request.host.includes(":") ? `[${request.host}]:${request.port}` : `${request.host}:${request.port}`;
  const headers = Object.entries({
    Host: hostHeader,
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": key,
    "Sec-WebSocket-Version": "13",
    ...request.headers,
  }).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.write(`GET ${request.path ?? "/"} HTTP/1.1\r\n${headers.join("")}\r\n`);
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = request.timeoutMs === undefined ? undefined : setTimeout(() => finish(new Error(`no upgrade response within ${request.timeoutMs} ms`)), request.timeoutMs);
    const onClose = (): void => finish(new Error(`the connection closed during the upgrade${received.length ? `: ${JSON.stringify(received.toString("latin1").split("\r\n")[0])}` : ""}`));
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf("\r\n\r\n");
      if (end < 0) {
        if (received.length > MAX_RESPONSE_HEAD_BYTES) finish(new Error("the upgrade response head is too large"));
        return;
      }
      const head = received.subarray(0, end).toString("latin1");
      const accept = /^sec-websocket-accept:\s*(\S+)\s*$/im.exec(head)?.[1];
      if (!head.startsWith("HTTP/1.1 101") || accept !== expectedAccept) finish(new Error(`the upgrade was refused: ${head.split("\r\n")[0]}`));
      else finish(undefined, received.subarray(end + 4));
    };
    function finish(error: Error | undefined, leftover?: Buffer): void {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("close", onClose);
      if (error) reject(error);
      else resolve(leftover ?? Buffer.alloc(0));
    }
    socket.on("data", onData);
    socket.on("close", onClose);
  });
}
