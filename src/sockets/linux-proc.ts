import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { formatIpv4, formatIpv6 } from "./address.js";
import type { ParsedTable } from "./parsed-table.js";
import type { TcpEntry, TcpState } from "./types.js";

/** include/net/tcp_states.h. 0C (NEW_SYN_RECV) is a request socket, i.e. a handshake not yet accepted. */
const LINUX_STATES: Readonly<Record<number, TcpState>> = {
  0x01: "ESTABLISHED",
  0x02: "SYN_SENT",
  0x03: "SYN_RECV",
  0x04: "FIN_WAIT_1",
  0x05: "FIN_WAIT_2",
  0x06: "TIME_WAIT",
  0x07: "CLOSE",
  0x08: "CLOSE_WAIT",
  0x09: "LAST_ACK",
  0x0a: "LISTEN",
  0x0b: "CLOSING",
  0x0c: "SYN_RECV",
};

const HEX_ENDPOINT = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/;
const HEX_PAIR = /^([0-9A-Fa-f]+):([0-9A-Fa-f]+)$/;

export interface ProcParseOptions {
  /**
   * The kernel prints each 32-bit address word with %08X straight from memory, so the byte order in the
   * text is the host's. Defaults to this machine's; only a big-endian host (s390x) differs.
   */
  littleEndian?: boolean;
}

/** Parses the text of /proc/net/tcp or /proc/net/tcp6 (the family follows from the address width). */
export function parseProcNetTcp(text: string, options: ProcParseOptions = {}): ParsedTable {
  const littleEndian = options.littleEndian ?? os.endianness() === "LE";
  const entries: TcpEntry[] = [];
  let rejectedLines = 0;
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (!/^\d+:$/.test(fields[0] ?? "")) continue; // header or blank line
    const entry = parseRow(fields, littleEndian);
    if (entry) entries.push(entry);
    else rejectedLines++;
  }
  return { entries, rejectedLines };
}

/** Row fields: sl local rem st tx:rx tr:when retrnsmt uid timeout inode ... */
function parseRow(fields: string[], littleEndian: boolean): TcpEntry | undefined {
  const local = HEX_ENDPOINT.exec(fields[1] ?? "");
  const remote = HEX_ENDPOINT.exec(fields[2] ?? "");
  const queues = HEX_PAIR.exec(fields[4] ?? "");
  const stateCode = Number.parseInt(fields[3] ?? "", 16);
  const inode = Number(fields[9]);
  if (!local?.[1] || !local[2] || !remote?.[1] || !remote[2] || !queues?.[1] || !queues[2]) return undefined;
  if (local[1].length !== remote[1].length || !Number.isInteger(inode) || Number.isNaN(stateCode)) return undefined;
  const family = local[1].length === 8 ? 4 : 6;
  return {
    family,
    localAddress: decodeAddress(local[1], littleEndian),
    localPort: Number.parseInt(local[2], 16),
    remoteAddress: decodeAddress(remote[1], littleEndian),
    remotePort: Number.parseInt(remote[2], 16),
    state: LINUX_STATES[stateCode] ?? "UNKNOWN",
    // For a LISTEN row the kernel reports the accept-queue length as rx_queue: connections not yet accepted.
    sendQueue: Number.parseInt(queues[1], 16),
    recvQueue: Number.parseInt(queues[2], 16),
    // 0 means no file holds the socket: TIME_WAIT, a kernel orphan after close(), or not yet accepted.
    inode,
    ...(inode === 0 ? { detached: true } : {}),
  };
}

function decodeAddress(hex: string, littleEndian: boolean): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes: number[] = [];
    for (let i = 0; i < 8; i += 2) wordBytes.push(Number.parseInt(hex.slice(word + i, word + i + 2), 16));
    bytes.push(...(littleEndian ? wordBytes.reverse() : wordBytes));
  }
  return bytes.length === 4 ? formatIpv4(bytes) : formatIpv6(bytes);
}

export interface ProcNetTcpRead extends ParsedTable {
  filesRead: string[];
  /** Files that exist but could not be read, or a missing IPv4 table. A missing tcp6 (IPv6 off) is not listed. */
  failures: Array<{ path: string; code: string }>;
}

/** Reads <procRoot>/net/tcp and tcp6. Never throws: failures come back as data. */
export function readProcNetTcp(options: ProcParseOptions & { procRoot?: string } = {}): ProcNetTcpRead {
  const procRoot = options.procRoot ?? "/proc";
  const result: ProcNetTcpRead = { entries: [], rejectedLines: 0, filesRead: [], failures: [] };
  for (const name of ["tcp", "tcp6"] as const) {
    const file = path.join(procRoot, "net", name);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "EIO";
      if (!(name === "tcp6" && code === "ENOENT")) result.failures.push({ path: file, code });
      continue;
    }
    const parsed = parseProcNetTcp(text, options);
    result.entries.push(...parsed.entries);
    result.rejectedLines += parsed.rejectedLines;
    result.filesRead.push(file);
  }
  return result;
}
