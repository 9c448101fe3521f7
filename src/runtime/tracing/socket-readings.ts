import { readProperty } from "../ws-shapes.js";

const MAX_ADDRESS_CHARS = 64;

/**
 * Reads behind getters (ws's `bufferedAmount`, net's `remoteAddress`): a getter that throws, or
 * returns something odd, yields no value rather than an error. Plain reads, no object per call:
 * these run for every traced connection.
 */
function finiteNumberAt(object: unknown, key: string): number | undefined {
  try {
    const value = readProperty(object, key);
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** ws's `bufferedAmount` already includes the socket's queue; `writableLength` shows that queue alone. */
export function bufferedAmountOf(socket: unknown): number | undefined {
  return finiteNumberAt(socket, "bufferedAmount");
}

export function writableLengthOf(socket: unknown): number | undefined {
  try {
    return finiteNumberAt(readProperty(socket, "_socket"), "writableLength");
  } catch {
    return undefined;
  }
}

export function remoteAddressOf(rawSocket: unknown): string | undefined {
  try {
    const address = readProperty(rawSocket, "remoteAddress");
    return typeof address === "string" && address.length <= MAX_ADDRESS_CHARS ? address : undefined;
  } catch {
    return undefined;
  }
}

export function remotePortOf(rawSocket: unknown): number | undefined {
  return finiteNumberAt(rawSocket, "remotePort");
}
