/**
 * The gateway records why it closes a connection (`setCloseCause`) in a local the runtime cannot
 * reach; but its close reasons are fixed strings, so the common causes can be named from them.
 * Unknown reasons (auth failures carry free text) get no cause rather than a guess.
 */
const CAUSE_BY_GATEWAY_REASON: ReadonlyMap<string, string> = new Map([
  ["service restart", "shutdown"],
  ["slow consumer", "slow-consumer"],
  ["preauth payload too large", "preauth-payload-too-large"],
  ["protocol mismatch", "protocol-mismatch"],
  ["invalid role", "invalid-role"],
  ["device identity required", "device-identity-required"],
  ["pairing required", "pairing-required"],
  ["repeated unauthorized calls", "repeated-unauthorized-requests"],
  ["ping timeout", "heartbeat-timeout"],
]);

export function gatewayCloseCause(reason: string, serverShuttingDown: boolean): string | undefined {
  return CAUSE_BY_GATEWAY_REASON.get(reason.trim().toLowerCase()) ?? (serverShuttingDown ? "shutdown" : undefined);
}
