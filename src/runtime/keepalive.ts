import { isRawSocket } from "./ws-shapes.js";

/**
 * TCP keepalive only catches peers that vanished (no ACKs); frozen peers still ACK and are left to
 * the heartbeat. It is cheap and works even where no WebSocket ping is ever sent. Both the
 * upgradeStarted callback and the socket guard call this for one socket; Node itself skips a repeated call with the
 * same settings (no second setsockopt, checked under strace on Node 20 and 24).
 */
export function enableTcpKeepAlive(rawSocket: unknown, keepAliveMs: number): void {
  if (isRawSocket(rawSocket)) rawSocket.setKeepAlive(true, keepAliveMs);
}
