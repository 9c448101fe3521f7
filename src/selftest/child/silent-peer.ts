import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { OPCODE, ServerFrameReader } from "../../wire/ws-frames.js";
import { upgradeToWebSocket } from "../../wire/ws-upgrade.js";

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
export async function silentPeer(port: number, stopReading = false): Promise<SilentPeer> {
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
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("close", () => reject(new Error("the connection closed before it was made")));
  });
  const leftover = await upgradeToWebSocket(socket, { host: "127.0.0.1", port });
  if (stopReading) socket.pause();
  const frames = new ServerFrameReader();
  const countFrames = (bytes: Buffer): void => {
    for (const frame of frames.push(bytes)) {
      if (frame.opcode === OPCODE.ping) peer.pings++;
      if (frame.opcode === OPCODE.close) peer.closeFrames++;
    }
  };
  socket.on("data", countFrames);
  countFrames(leftover);
  return peer;
}
