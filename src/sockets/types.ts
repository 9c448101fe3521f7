/** One row of the kernel's (or netstat's) TCP table, normalised across platforms. */
export type TcpState =
  | "ESTABLISHED"
  | "SYN_SENT"
  | "SYN_RECV"
  | "FIN_WAIT_1"
  | "FIN_WAIT_2"
  | "TIME_WAIT"
  | "CLOSE"
  | "CLOSE_WAIT"
  | "LAST_ACK"
  | "LISTEN"
  | "CLOSING"
  | "UNKNOWN";

export interface TcpEntry {
  family: 4 | 6;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  state: TcpState;
  /** Bytes queued for sending (Linux tx_queue, netstat Send-Q), when known. */
  sendQueue?: number;
  recvQueue?: number;
  /** Socket inode (Linux) used to find the owning process. */
  inode?: number;
  /** Owning process id, when readable. */
  pid?: number;
  /**
   * The table itself says no process holds the socket (Linux inode 0, Windows pid 0): TIME_WAIT, a
   * connection not yet accepted, or, in a closing state, a kernel orphan left by a graceful close.
   */
  detached?: boolean;
  /** Process name as the table printed it (newer macOS netstat `name:pid`), when known. */
  processName?: string;
  /** The state word exactly as the source printed it, kept when it did not map (e.g. a localized Windows netstat). */
  rawState?: string;
}
