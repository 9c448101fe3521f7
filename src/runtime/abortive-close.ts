import { readProperty } from "./ws-shapes.js";

interface ResettableSocket {
  resetAndDestroy: () => unknown;
  destroyed?: unknown;
}

function isResettable(value: unknown): value is ResettableSocket {
  return typeof readProperty(value, "resetAndDestroy") === "function";
}

/**
 * `destroy()` closes TCP gracefully: the kernel queues its FIN behind whatever the peer left
 * unread and keeps the socket, owned by no process, until that queue drains or its retries give
 * up; behind a peer that is alive but not reading, for as long as the peer lives. A reset
 * (SO_LINGER 0, then close) frees the socket and its queue at once, as nginx's
 * `reset_timedout_connection` does. Only for sockets already given up on: a reset discards what
 * the peer has not read. Returns whether the socket was reset; on false the caller's ordinary
 * close still runs.
 */
export function resetSocket(raw: unknown): boolean {
  if (!isResettable(raw) || raw.destroyed === true || readProperty(raw, "_handle") == null || shutdownInFlight(raw)) return false;
  try {
    raw.resetAndDestroy();
    return true;
  } catch {
    // Not a TCP handle (TLS, a pipe): Node throws before it changes anything.
    return false;
  }
}

/**
 * libuv refuses a reset while our FIN is being handed to the kernel, and Node then drops the
 * handle without closing it (a leaked descriptor). That window lasts one loop turn, from the
 * stream's final call to its prefinish; a graceful close is the safe choice inside it.
 */
function shutdownInFlight(raw: unknown): boolean {
  const state = readProperty(raw, "_writableState");
  return readProperty(state, "finalCalled") === true && readProperty(state, "prefinished") !== true;
}
