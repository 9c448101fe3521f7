import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

// Deliberately independent of src/sockets/: the tests use this reader to check the product's.

export type TcpState =
  | 'ESTABLISHED'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'FIN_WAIT1'
  | 'FIN_WAIT2'
  | 'TIME_WAIT'
  | 'CLOSE'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'LISTEN'
  | 'CLOSING'
  | 'NEW_SYN_RECV';

// Numbering from include/net/tcp_states.h.
const STATE_BY_CODE: Record<number, TcpState> = {
  0x01: 'ESTABLISHED',
  0x02: 'SYN_SENT',
  0x03: 'SYN_RECV',
  0x04: 'FIN_WAIT1',
  0x05: 'FIN_WAIT2',
  0x06: 'TIME_WAIT',
  0x07: 'CLOSE',
  0x08: 'CLOSE_WAIT',
  0x09: 'LAST_ACK',
  0x0a: 'LISTEN',
  0x0b: 'CLOSING',
  0x0c: 'NEW_SYN_RECV',
};

export interface TcpSocketEntry {
  family: 4 | 6;
  localPort: number;
  remotePort: number;
  state: TcpState;
  /** Bytes queued for sending (Send-Q). */
  sendQueue: number;
  receiveQueue: number;
  /** 0 when no process holds the socket (orphans, TIME_WAIT). */
  inode: number;
}

function portOf(hexEndpoint: string): number {
  const colon = hexEndpoint.lastIndexOf(':');
  return Number.parseInt(hexEndpoint.slice(colon + 1), 16);
}

function parseTable(text: string, family: 4 | 6): TcpSocketEntry[] {
  const entries: TcpSocketEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [, local, remote, stateHex, queues, , , , , inode] = fields;
    if (local === undefined || remote === undefined || stateHex === undefined || queues === undefined || inode === undefined) continue;
    const state = STATE_BY_CODE[Number.parseInt(stateHex, 16)];
    if (state === undefined) continue;
    const [tx = '0', rx = '0'] = queues.split(':');
    entries.push({
      family,
      localPort: portOf(local),
      remotePort: portOf(remote),
      state,
      sendQueue: Number.parseInt(tx, 16),
      receiveQueue: Number.parseInt(rx, 16),
      inode: Number(inode),
    });
  }
  return entries;
}

function readIfPresent(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Every TCP socket of this network namespace, IPv4 and IPv6. */
export function readTcpSockets(): TcpSocketEntry[] {
  return [...parseTable(readIfPresent('/proc/net/tcp'), 4), ...parseTable(readIfPresent('/proc/net/tcp6'), 6)];
}

/**
 * The gateway's end of each client connection: local port = gateway port, remote port = the
 * client's port. Every requested client port is present in the result, with [] once the kernel
 * has forgotten the connection.
 */
export function gatewaySideSockets(
  gatewayPort: number,
  clientPorts: Iterable<number>,
  table: readonly TcpSocketEntry[] = readTcpSockets(),
): Map<number, TcpSocketEntry[]> {
  const byClientPort = new Map<number, TcpSocketEntry[]>();
  for (const port of clientPorts) byClientPort.set(port, []);
  for (const entry of table) {
    if (entry.localPort !== gatewayPort || entry.state === 'LISTEN') continue;
    byClientPort.get(entry.remotePort)?.push(entry);
  }
  return byClientPort;
}

export function countByState(entries: Iterable<TcpSocketEntry>): Partial<Record<TcpState, number>> {
  const counts: Partial<Record<TcpState, number>> = {};
  for (const entry of entries) counts[entry.state] = (counts[entry.state] ?? 0) + 1;
  return counts;
}

/** Inodes of the sockets `pid` has open as file descriptors: "held" means one of these. */
export function socketInodesOfProcess(pid: number): Set<number> {
  const inodes = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(Number(match[1]));
    } catch {
      // The fd closed between readdir and readlink.
    }
  }
  return inodes;
}
