import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { CONNECT_REQUEST_ID, connectRequest, parseGatewayMessage } from "./connect-request.js";
import { encodeClientFrame, OPCODE, ServerFrameReader, type Frame } from "../wire/ws-frames.js";
import { upgradeToWebSocket } from "../wire/ws-upgrade.js";

/** What the probe saw from the gateway once it went silent; times are performance.now(). */
export interface SilentObservations {
  pings: number;
  firstPingAt?: number;
  closeFrameAt?: number;
  closeCode?: number;
  /** The gateway sent FIN. */
  finAt?: number;
  /** The socket closed (after a reset, or our own destroy). */
  closedAt?: number;
  errorCode?: string;
}

export interface SilentConnection {
  /** The probe's ephemeral port: the remote port of the gateway's end in the TCP table. */
  localPort: number;
  /** From here on the probe answers nothing: after the upgrade, or after hello-ok with a token. */
  silentSince: number;
  observations: SilentObservations;
  /** Resolves at the first sign the gateway let go of the connection: FIN, reset or close. */
  released: Promise<void>;
  destroy(): void;
}

export interface SilentConnectionOptions {
  host: string;
  port: number;
  /** With a token the probe authenticates first; without one it stays pre-auth. */
  token?: string;
  toolVersion: string;
  /** Bound on connect + upgrade + authentication together. */
  setupTimeoutMs: number;
}

/** Thrown when the probe could not get as far as going silent; `code` says where it stopped. */
export class ProbeSetupError extends Error {
  constructor(
    readonly stage: "connect" | "upgrade" | "authenticate",
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "ProbeSetupError";
  }
}

/**
 * Opens a WebSocket to the gateway that never answers a ping and never answers a close frame, and
 * never sends FIN: the peer the fixes exist for. It keeps reading, so the gateway's writes (and
 * its pings) are never held up by a full window and the bound is measured, not the backlog.
 */
export async function openSilentConnection(options: SilentConnectionOptions): Promise<SilentConnection> {
  const deadline = performance.now() + options.setupTimeoutMs;
  const remaining = (): number => Math.max(1, deadline - performance.now());
  const socket = await connectSocket(options.host, options.port, remaining());
  const observations: SilentObservations = { pings: 0 };
  let released!: () => void;
  const releasedPromise = new Promise<void>((resolve) => (released = resolve));
  socket.on("error", (error: NodeJS.ErrnoException) => {
    observations.errorCode ??= error.code ?? error.message;
  });
  socket.on("end", () => {
    observations.finAt ??= performance.now();
    released();
  });
  socket.on("close", () => {
    observations.closedAt ??= performance.now();
    released();
  });
  try {
    let leftover: Buffer;
    try {
      leftover = await upgradeToWebSocket(socket, { host: options.host, port: options.port, timeoutMs: remaining(), headers: { "User-Agent": "openclaw-patch-verify" } });
    } catch (error) {
      throw new ProbeSetupError("upgrade", (error as Error).message);
    }
    const reader = new ServerFrameReader();
    const messageListeners = new Set<(text: string) => void>();
    const onFrame = (frame: Frame): void => {
      if (frame.opcode === OPCODE.ping) {
        observations.pings++;
        observations.firstPingAt ??= performance.now();
      } else if (frame.opcode === OPCODE.close) {
        observations.closeFrameAt ??= performance.now();
        if (frame.payload.length >= 2) observations.closeCode ??= frame.payload.readUInt16BE(0);
      } else if (frame.opcode === OPCODE.text && frame.fin) {
        const text = frame.payload.toString("utf8");
        for (const listener of [...messageListeners]) listener(text);
      }
    };
    const onData = (chunk: Buffer): void => {
      for (const frame of reader.push(chunk)) onFrame(frame);
    };
    socket.on("data", onData);
    const authenticated = options.token === undefined ? undefined : authenticate(socket, messageListeners, options.token, options.toolVersion, remaining());
    if (leftover.length > 0) onData(leftover);
    if (authenticated) await authenticated;
    const localPort = socket.localPort;
    if (localPort === undefined) throw new ProbeSetupError("connect", "the probe socket has no local port (closed already?)");
    return { localPort, silentSince: performance.now(), observations, released: releasedPromise, destroy: () => socket.destroy() };
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

/** allowHalfOpen: Node would otherwise answer the gateway's FIN with ours, which a frozen peer never does. */
function connectSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ProbeSetupError("connect", `no TCP connection to ${host}:${port} within ${timeoutMs} ms`, "ETIMEDOUT"));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", onError);
      resolve(socket);
    });
    const onError = (error: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      reject(new ProbeSetupError("connect", `cannot connect to ${host}:${port}: ${error.code ?? error.message}`, error.code));
    };
    socket.once("error", onError);
  });
}

/** Answers the connect.challenge with the connect request and waits for the response. */
function authenticate(socket: Socket, listeners: Set<(text: string) => void>, token: string, toolVersion: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new ProbeSetupError("authenticate", `no answer to the connect request within ${timeoutMs} ms`)), timeoutMs);
    const onClose = (): void => finish(new ProbeSetupError("authenticate", "the gateway closed the connection before accepting the connect request"));
    const listener = (text: string): void => {
      const message = parseGatewayMessage(text);
      if (message?.type === "event" && message.event === "connect.challenge") {
        socket.write(encodeClientFrame(OPCODE.text, Buffer.from(JSON.stringify(connectRequest(token, toolVersion)))));
      } else if (message?.type === "res" && message.id === CONNECT_REQUEST_ID) {
        finish(message.ok === true ? undefined : new ProbeSetupError("authenticate", `the gateway refused the connect request: ${JSON.stringify(message.error ?? null).slice(0, 300)}`, "REFUSED"));
      }
    };
    function finish(error?: Error): void {
      clearTimeout(timer);
      listeners.delete(listener);
      socket.off("close", onClose);
      if (error) reject(error);
      else resolve();
    }
    listeners.add(listener);
    socket.once("close", onClose);
  });
}
