import type { WebSocket } from "ws";

/** How a ws client saw its connection end: the close code, and whether TCP ended in order (FIN) or was reset. */
export interface ClientEnd {
  code: number | null;
  sawEnd: boolean;
  errorCode: string | null;
  /** ws keeps the net.Socket as _socket (every release since 2); without it only the code can be seen. */
  observable: boolean;
  closed: Promise<void>;
}

export function watchClientEnd(client: WebSocket): ClientEnd {
  let closed!: () => void;
  const seen: ClientEnd = { code: null, sawEnd: false, errorCode: null, observable: false, closed: new Promise((resolve) => (closed = resolve)) };
  const raw = (client as WebSocket & { _socket?: { on?: unknown } })._socket;
  if (raw && typeof raw.on === "function") {
    seen.observable = true;
    const socket = raw as NodeJS.EventEmitter;
    socket.on("end", () => (seen.sawEnd = true));
    socket.on("error", (error: NodeJS.ErrnoException) => (seen.errorCode = seen.errorCode || error.code || String(error.message)));
  }
  client.once("close", (code: number) => {
    seen.code = code;
    closed();
  });
  return seen;
}

export function describeClientEnd(label: string, seen: ClientEnd): string {
  if (seen.code === null) return `${label}: no close event`;
  const tcp = !seen.observable ? "TCP end not observable" : seen.errorCode ? `then ${seen.errorCode}` : seen.sawEnd ? "orderly end (FIN)" : "no FIN seen";
  return `${label}: close ${seen.code}, ${tcp}`;
}

export const cleanEnd = (seen: ClientEnd): boolean => seen.code === 1000 && !seen.errorCode && (!seen.observable || seen.sawEnd);
