import { neverThrows } from "./hook-safety.js";
import { wrapInstanceMethod } from "./method-wrap.js";
import type { GuardedSocket } from "./socket-guard.js";
import { terminateByFix } from "./terminate.js";
import { startTimeout } from "./timers.js";

/**
 * ws waits 30 s for a close handshake the peer may never answer (a frozen or non-reading peer),
 * and the kernel then keeps the half-closed socket even longer. A short grace bounds both.
 */
export function installCloseGrace(guarded: GuardedSocket): void {
  const { socket } = guarded;
  wrapInstanceMethod(socket, "close", (originalClose) =>
    function closeWithGrace(this: unknown, ...args: unknown[]): unknown {
      const result = Reflect.apply(originalClose, this, args);
      // Armed only after a close that did not throw: a rejected close leaves the socket open on purpose.
      neverThrows("close grace", () => armCloseGrace(guarded))();
      return result;
    },
  );
  // An extra listener, never a replacement: the gateway's own error handling still runs.
  socket.on("error", neverThrows("error listener", () => terminateByFix(socket, guarded.connectionId, "socket-error")));
}

export function armCloseGrace(guarded: GuardedSocket): void {
  if (guarded.closed || guarded.closeGraceTimer !== undefined) return;
  guarded.closeGraceTimer = startTimeout(
    neverThrows("close grace timer", () => {
      guarded.closeGraceTimer = undefined;
      if (!guarded.closed) terminateByFix(guarded.socket, guarded.connectionId, "close-grace");
    }),
    guarded.config.closeGraceMs,
  );
}
