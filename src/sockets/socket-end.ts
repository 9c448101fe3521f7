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

/**
 * netstat prints pid 0 for sockets no process holds and the parsers drop it, so a missing pid means
 * "no owner" only when the same read gave pids to other rows (macOS without the owner column gives none).
 */
export function tableShowsOwners(entries: readonly TcpEntry[]): boolean {
  return entries.some((e) => e.pid !== undefined || e.inode !== undefined);
}

/** Linux says it per row: inode 0 is a socket no file refers to. */
export function holderOf(entry: TcpEntry, ownersShown: boolean): EndHolder {
  if (entry.inode !== undefined) return entry.inode === 0 ? "orphan" : "process";
  if (entry.pid !== undefined) return "process";
  return ownersShown ? "orphan" : "unknown";
}

export function viewOfEnd(entry: TcpEntry, ownersShown: boolean): SocketEndView {
  return { state: entry.state, holder: holderOf(entry, ownersShown), pid: entry.pid ?? null, sendQueue: entry.sendQueue ?? null };
}

/** e.g. "FIN_WAIT_1 orphan, 131072 bytes queued" or "ESTABLISHED, held by pid 4242, 0 bytes queued". */
export function describeEnd(view: SocketEndView): string {
  const holder = view.holder === "orphan" ? " orphan (no owning process)" : view.holder === "process" ? `, held by ${view.pid === null ? "its process" : `pid ${view.pid}`}` : ", owner unknown";
  const queued = view.sendQueue === null ? "" : `, ${view.sendQueue} bytes queued`;
  return `${view.state}${holder}${queued}`;
}
