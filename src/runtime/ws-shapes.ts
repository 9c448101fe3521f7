/**
 * Structural views of the objects the gateway hands to the gateway callbacks. The runtime never
 * imports `ws`: it works on whatever copy the gateway bundles, so every argument is checked before use.
 */

/** ws `WebSocket.OPEN` / `WebSocket.CLOSED`. */
export const WS_OPEN = 1;
export const WS_CLOSED = 3;

type Listener = (...args: unknown[]) => void;

export interface WsSocketLike {
  readyState: number;
  ping: (...args: unknown[]) => unknown;
  close: (...args: unknown[]) => unknown;
  terminate: () => unknown;
  on: (event: string, listener: Listener) => unknown;
  /** ws's underlying net.Socket. */
  _socket?: unknown;
}

export interface WssLike {
  on: (event: string, listener: Listener) => unknown;
  prependListener?: (event: string, listener: Listener) => unknown;
  close: (...args: unknown[]) => unknown;
  clients?: unknown;
  options?: unknown;
}

export interface RawSocketLike {
  setKeepAlive: (enable: boolean, initialDelayMs: number) => unknown;
}

export interface HttpServerLike {
  headersTimeout: number;
  requestTimeout: number;
}

/** Upper bound on clients copied out of `wss.clients`, so a corrupt collection cannot spin forever. */
const MAX_CLIENTS_SCANNED = 1_000_000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function isWsSocket(value: unknown): value is WsSocketLike {
  return (
    isObject(value) &&
    typeof value.readyState === "number" &&
    typeof value.ping === "function" &&
    typeof value.close === "function" &&
    typeof value.terminate === "function" &&
    typeof value.on === "function"
  );
}

export function isWss(value: unknown): value is WssLike {
  return isObject(value) && typeof value.on === "function" && typeof value.close === "function" && !isWsSocket(value);
}

export function isRawSocket(value: unknown): value is RawSocketLike {
  return isObject(value) && typeof value.setKeepAlive === "function";
}

export function isHttpServer(value: unknown): value is HttpServerLike {
  return isObject(value) && typeof value.headersTimeout === "number" && typeof value.requestTimeout === "number";
}

export function readProperty(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return isObject(value) && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}

export function clientsOf(wss: WssLike): WsSocketLike[] {
  const clients: unknown = wss.clients;
  if (!isIterable(clients)) return [];
  const found: WsSocketLike[] = [];
  let scanned = 0;
  for (const client of clients) {
    if (++scanned > MAX_CLIENTS_SCANNED) break;
    if (isWsSocket(client)) found.push(client);
  }
  return found;
}
