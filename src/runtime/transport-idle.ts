import { readProperty, type WsSocketLike } from "./ws-shapes.js";

interface IdleCapableSocket {
  timeout?: number;
  setTimeout(ms: number): unknown;
  on(event: "timeout", listener: () => void): unknown;
  off(event: "timeout", listener: () => void): unknown;
  listenerCount(event: string): number;
}

function isIdleCapable(value: unknown): value is IdleCapableSocket {
  return (
    typeof readProperty(value, "setTimeout") === "function" &&
    typeof readProperty(value, "on") === "function" &&
    typeof readProperty(value, "off") === "function" &&
    typeof readProperty(value, "listenerCount") === "function"
  );
}

/**
 * Reports when a socket's transport made no progress for a while. Node's socket inactivity
 * timeout counts bytes the kernel accepts from a long pending write as activity, which no public
 * byte counter shows; so while a ping waits behind a backlog, "no timeout" means "the peer reads".
 */
export class TransportIdleWatch {
  private active = false;
  private previousTimeoutMs = 0;

  private constructor(
    private readonly transport: IdleCapableSocket,
    private readonly onIdle: () => void,
  ) {}

  /**
   * Undefined when the transport is not a net.Socket, or when someone else listens for its
   * `timeout`: our temporary timeout would fire their handler too.
   */
  static of(socket: WsSocketLike, onIdle: () => void): TransportIdleWatch | undefined {
    const transport = socket._socket;
    if (!isIdleCapable(transport) || transport.listenerCount("timeout") > 0) return undefined;
    return new TransportIdleWatch(transport, onIdle);
  }

  start(idleMs: number): void {
    if (!this.active) {
      this.active = true;
      const previous = this.transport.timeout;
      this.previousTimeoutMs = typeof previous === "number" && previous > 0 ? previous : 0;
      this.transport.on("timeout", this.onIdle);
    }
    this.transport.setTimeout(idleMs);
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.transport.off("timeout", this.onIdle);
    this.transport.setTimeout(this.previousTimeoutMs);
  }
}
