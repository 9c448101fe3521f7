import { sharedState } from "./shared-state.js";
import { isRawSocket } from "./ws-shapes.js";

/**
 * TCP keepalive only catches peers that vanished (no ACKs); frozen peers still ACK and are left to
 * the heartbeat. It is cheap and works even where no WebSocket ping is ever sent.
 */
export function enableTcpKeepAlive(rawSocket: unknown, keepAliveMs: number): void {
  if (!isRawSocket(rawSocket)) return;
  const done = sharedState().keepAliveSockets;
  if (done.has(rawSocket)) return;
  done.add(rawSocket);
  rawSocket.setKeepAlive(true, keepAliveMs);
}
