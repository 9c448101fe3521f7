import { randomBytes } from "node:crypto";

// Just enough of RFC 6455 to be a client that decides every byte itself: a library client would
// answer pings and close frames on its own, which is exactly what a misbehaving peer must not do.
// Shared by every such client: verify --live's probe (src/live), the self-test program
// (src/selftest/child) and the tests' clients (test/support/ws-clients.ts). node: builtins only, so
// the self-test bundle can carry it.

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** Client-to-server frames must be masked (RFC 6455 §5.3). */
export function encodeClientFrame(opcode: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + 4);
  header[0] = 0x80 | opcode;
  if (lengthBytes === 0) header[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(header, 2 + lengthBytes);
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([header, masked]);
}

/** By default, frames larger than this are counted but their payload is not kept (the probe only reads small JSON). */
const MAX_KEPT_PAYLOAD = 1 << 20;

/** Incremental reader of server frames; tolerant of frames split across chunks. */
export class ServerFrameReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxKeptPayload = MAX_KEPT_PAYLOAD) {}

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    // Each turn consumes at least two bytes, so the loop ends within the buffer's length.
    while (this.pending.length >= 2) {
      const frame = this.take();
      if (frame === undefined) break;
      frames.push(frame);
    }
    return frames;
  }

  private take(): Frame | undefined {
    const buf = this.pending;
    const masked = (buf[1]! & 0x80) !== 0;
    let length = buf[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buf.length < 4) return undefined;
      length = buf.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buf.length < 10) return undefined;
      length = Number(buf.readBigUInt64BE(2));
      offset = 10;
    }
    const maskOffset = offset;
    if (masked) offset += 4;
    if (buf.length < offset + length) return undefined;
    const kept = length <= this.maxKeptPayload;
    const payload = kept ? Buffer.from(buf.subarray(offset, offset + length)) : Buffer.alloc(0);
    if (masked && kept) for (let i = 0; i < length; i++) payload[i] = payload[i]! ^ buf[maskOffset + (i & 3)]!;
    this.pending = buf.subarray(offset + length);
    return { fin: (buf[0]! & 0x80) !== 0, opcode: buf[0]! & 0x0f, payload };
  }
}
