import { createHash, randomBytes } from "node:crypto";
import type { Socket } from "node:net";

const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

/**
 * Sends the HTTP upgrade request on a connected socket and waits for the 101 response. Resolves
 * with the bytes after the response head: the gateway's first frame often shares a packet with it.
 */
export function upgradeToWebSocket(socket: Socket, host: string, port: number, timeoutMs: number): Promise<Buffer> {
  const key = randomBytes(16).toString("base64");
  const expectedAccept = createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
  const hostHeader = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  socket.write(
    `GET / HTTP/1.1\r\nHost: ${hostHeader}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nUser-Agent: openclaw-patch-verify\r\n\r\n`,
  );
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no upgrade response within ${timeoutMs} ms`)), timeoutMs);
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
