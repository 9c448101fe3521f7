import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { OPCODE, ServerFrameReader } from "../../wire/ws-frames.js";

export interface SilentPeer {
  socket: Socket;
  pings: number;
  closeFrames: number;
  /** performance.now() when the server's FIN or the socket's close arrived. */
  goneAt: number | undefined;
  gone: Promise<void>;
}

/**
 * A peer on a bare TCP socket: it answers nothing (no pong, no close frame, no FIN). It reads
 * everything, or with stopReading nothing after the upgrade, so its kernel's receive buffer fills and
 * it advertises a zero window while its kernel keeps answering: a hung client.
 */
export function silentPeer(port: number, stopReading = false): Promise<SilentPeer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    let markGone!: () => void;
    const peer: SilentPeer = { socket, pings: 0, closeFrames: 0, goneAt: undefined, gone: new Promise((done) => (markGone = done)) };
    const mark = (): void => {
      if (peer.goneAt === undefined) peer.goneAt = performance.now();
      markGone();
    };
    socket.once("end", mark);
    socket.once("close", mark);
    socket.on("error", () => undefined);
    let head = Buffer.alloc(0);
    let upgraded = false;
    const frames = new ServerFrameReader();
    const countFrames = (bytes: Buffer): void => {
      for (const frame of frames.push(bytes)) {
        if (frame.opcode === OPCODE.ping) peer.pings++;
        if (frame.opcode === OPCODE.close) peer.closeFrames++;
      }
    };
    socket.on("data", (chunk: Buffer) => {
      if (upgraded) return countFrames(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      if (!head.subarray(0, end).toString("latin1").startsWith("HTTP/1.1 101")) return reject(new Error("upgrade refused"));
      upgraded = true;
      if (stopReading) socket.pause();
      resolve(peer);
      countFrames(head.subarray(end + 4));
    });
    socket.once("close", () => {
      if (!upgraded) reject(new Error("the connection closed during the upgrade"));
    });
    socket.once("connect", () =>
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
  });
}
