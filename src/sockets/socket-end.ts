import type { TcpEntry, TcpState } from "./types.js";

/**
 * Who keeps one end of a connection alive. A process lets go of its descriptor long before the kernel
 * lets go of the socket when the close was graceful: the socket stays, owned by nobody (an orphan), in
 * FIN_WAIT_1 behind its unsent bytes or in FIN_WAIT_2 waiting for the peer's FIN.
 */
export type EndHolder = "process" | "orphan" | "unknown";

/** One end of one connection as a table read showed it. */
export interface SocketEndView {
  state: TcpState;
  holder: EndHolder;
  /** The owning process, when the read resolved it. */
  pid: number | null;
  /** Bytes the kernel still holds for the peer; null when the table does not print them (Windows). */
  sendQueue: number | null;
}

/** The row for the end bound to localPort and talking to remotePort; a listener is never a connection's end. */
export function connectionEnd(entries: readonly TcpEntry[], localPort: number, remotePort: number): TcpEntry | undefined {
  return entries.find((e) => e.localPort === localPort && e.remotePort === remotePort && e.state !== "LISTEN");
}

/**
 * TIME_WAIT (and CLOSE) hold no buffers and wait on no peer: the connection is over. Any other row,
 * an orphan included, is a socket the kernel still keeps for it.
 */
export function endIsGone(row: TcpEntry | undefined): boolean {
  return row === undefined || row.state === "TIME_WAIT" || row.state === "CLOSE";
}

/** The table's own word first (detached: Linux inode 0, netstat pid 0); an owner or a live inode means held. */
export function holderOf(entry: TcpEntry): EndHolder {
  if (entry.detached === true) return "orphan";
  return entry.pid !== undefined || (entry.inode ?? 0) > 0 ? "process" : "unknown";
}

export function viewOfEnd(entry: TcpEntry): SocketEndView {
  return { state: entry.state, holder: holderOf(entry), pid: entry.pid ?? null, sendQueue: entry.sendQueue ?? null };
}

/** e.g. "FIN_WAIT_1 orphan, 131072 bytes queued" or "ESTABLISHED, held by pid 4242, 0 bytes queued". */
export function describeEnd(view: SocketEndView): string {
  const holder = view.holder === "orphan" ? " orphan (no owning process)" : view.holder === "process" ? `, held by ${view.pid === null ? "its process" : `pid ${view.pid}`}` : ", owner unknown";
  const queued = view.sendQueue === null ? "" : `, ${view.sendQueue} bytes queued`;
  return `${view.state}${holder}${queued}`;
}
