import { unmapIpv4 } from "./address.js";
import type { ParsedTable } from "./parsed-table.js";
import { stateFromNetstatWord } from "./tcp-states.js";
import type { TcpEntry } from "./types.js";

/** Windows lists IPv4 and IPv6 TCP separately; both are needed because the gateway binds 127.0.0.1 and ::1. */
export const WINDOWS_NETSTAT_ARGS: readonly (readonly string[])[] = [
  ["-ano", "-p", "tcp"],
  ["-ano", "-p", "tcpv6"],
];

const IPV6_ENDPOINT = /^\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\]:(\d+)$/;
const IPV4_ENDPOINT = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d+)$/;

/**
 * Parses `netstat -ano -p tcp|tcpv6` from Windows: `TCP <local> <foreign> <state> <pid>`. Headings are
 * localized, so rows are recognised by the untranslated "TCP" protocol column, never by the heading text.
 * State words are localized too; those become UNKNOWN with the original kept in rawState.
 */
export function parseWindowsNetstat(text: string): ParsedTable {
  const entries: TcpEntry[] = [];
  let rejectedLines = 0;
  for (const line of text.split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (fields[0]?.toUpperCase() !== "TCP") continue;
    const entry = parseRow(fields);
    if (entry) entries.push(entry);
    else rejectedLines++;
  }
  return { entries, rejectedLines };
}

function parseRow(fields: string[]): TcpEntry | undefined {
  const local = parseEndpoint(fields[1] ?? "");
  const remote = parseEndpoint(fields[2] ?? "");
  if (!local || !remote || fields.length < 4) return undefined;
  // With -o the last column is the pid; a translated state word could in principle hold a space.
  const hasPid = fields.length >= 5 && /^\d+$/.test(fields[fields.length - 1] ?? "");
  const stateWord = fields.slice(3, hasPid ? -1 : undefined).join(" ");
  const state = stateFromNetstatWord(stateWord);
  const entry: TcpEntry = {
    family: local.family,
    localAddress: local.address,
    localPort: local.port,
    remoteAddress: remote.address,
    remotePort: remote.port,
    state,
  };
  if (state === "UNKNOWN") entry.rawState = stateWord;
  // pid 0 is the System Idle Process placeholder Windows prints for TIME_WAIT and other detached sockets.
  const pid = hasPid ? Number(fields[fields.length - 1]) : 0;
  if (pid > 0) entry.pid = pid;
  else if (hasPid) entry.detached = true;
  return entry;
}

function parseEndpoint(text: string): { family: 4 | 6; address: string; port: number } | undefined {
  const v6 = IPV6_ENDPOINT.exec(text);
  const v4 = v6 ? undefined : IPV4_ENDPOINT.exec(text);
  const match = v6 ?? v4;
  const port = Number(match?.[2]);
  if (!match?.[1] || !(port >= 0 && port <= 65535)) return undefined;
  return { family: v6 ? 6 : 4, address: unmapIpv4(match[1]), port };
}
