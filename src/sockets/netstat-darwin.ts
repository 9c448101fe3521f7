import { unmapIpv4, wildcardAddress } from "./address.js";
import type { ParsedTable } from "./parsed-table.js";
import { stateFromNetstatWord } from "./tcp-states.js";
import type { TcpEntry } from "./types.js";

/** The arguments we run macOS netstat with; -W keeps long IPv6 hosts from being cut to 16 characters. */
export const DARWIN_NETSTAT_ARGS: readonly string[] = ["-anvW", "-p", "tcp"];

/** proto recv-q send-q local foreign state, then whatever -v adds. */
const ROW = /^(tcp(?:4|6|46)?)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)(.*)$/;

/**
 * Where -v puts the owner. macOS 13 and later print `rxbytes txbytes rhiwat shiwat name:pid state-hex ...`,
 * and the name may contain spaces, so the pid is the digits before the hex state field. Older releases
 * print `rhiwat shiwat pid epid ...`. The header tells which; without one only the unambiguous newer
 * form is trusted, because in the older form the third number would be misread from a newer row.
 */
type OwnerLayout = "name:pid" | "pid-epid" | "unknown";
const NAMED_OWNER = /^\s+\d+\s+\d+\s+\d+\s+\d+\s+(.+?):(\d+)(?:\s+[0-9A-Fa-f]+(?:\s|$)|\s*$)/;
const NUMBERED_OWNER = /^\s+\d+\s+\d+\s+(\d+)\s+\d+(?:\s|$)/;

/** Parses `netstat -anv[W] -p tcp` from macOS (tcp4, tcp6 and dual-stack tcp46 rows). */
export function parseDarwinNetstat(text: string): ParsedTable {
  const entries: TcpEntry[] = [];
  let rejectedLines = 0;
  let layout: OwnerLayout = "unknown";
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (/^Proto\s/.test(line)) {
      layout = line.includes("process:pid") ? "name:pid" : /\bpid\s+epid\b/.test(line) ? "pid-epid" : "unknown";
      continue;
    }
    if (!/^tcp/.test(line)) continue;
    const entry = parseRow(line, layout);
    if (entry) entries.push(entry);
    else rejectedLines++;
  }
  return { entries, rejectedLines };
}

function parseRow(line: string, layout: OwnerLayout): TcpEntry | undefined {
  const row = ROW.exec(line);
  if (!row) return undefined;
  const [, proto = "", recvQ = "", sendQ = "", localText = "", remoteText = "", stateWord = "", rest = ""] = row;
  // tcp46 is one IPv6 socket that also accepts IPv4; plain "tcp" (old releases) is told apart by the address.
  const family: 4 | 6 = proto === "tcp4" || (proto === "tcp" && !localText.includes(":")) ? 4 : 6;
  const local = parseEndpoint(localText, family);
  const remote = parseEndpoint(remoteText, family);
  if (!local || !remote) return undefined;
  const state = stateFromNetstatWord(stateWord);
  const entry: TcpEntry = {
    family,
    localAddress: local.address,
    localPort: local.port,
    remoteAddress: remote.address,
    remotePort: remote.port,
    state,
    sendQueue: Number(sendQ),
    recvQueue: Number(recvQ),
  };
  if (state === "UNKNOWN") entry.rawState = stateWord;
  Object.assign(entry, owner(rest, layout));
  return entry;
}

function owner(rest: string, layout: OwnerLayout): Pick<TcpEntry, "pid" | "processName" | "detached"> {
  if (layout !== "pid-epid") {
    const named = NAMED_OWNER.exec(rest);
    const pid = Number(named?.[2]);
    // pid 0 is what detached sockets (TIME_WAIT, orphans) show: nobody owns them.
    if (named?.[1] && pid > 0) return { pid, processName: named[1] };
    return named?.[2] !== undefined && pid === 0 ? { detached: true } : {};
  }
  const match = NUMBERED_OWNER.exec(rest);
  const pid = Number(match?.[1]);
  if (pid > 0) return { pid };
  return match?.[1] !== undefined && pid === 0 ? { detached: true } : {};
}

/** `127.0.0.1.18789`, `*.18789`, `*.*`, `::1.18789`, `fe80::1%lo0.18789`: the port is after the last dot. */
function parseEndpoint(text: string, family: 4 | 6): { address: string; port: number } | undefined {
  const dot = text.lastIndexOf(".");
  if (dot <= 0) return undefined;
  const host = text.slice(0, dot);
  const portText = text.slice(dot + 1);
  const port = portText === "*" ? 0 : Number(portText);
  if (!/^(\d+|\*)$/.test(portText) || port > 65535) return undefined;
  // -n prints numbers only, so a host is a dotted quad, an IPv6 text (possibly cut short without -W) or "*".
  if (host !== "*" && !/^\d{1,3}(\.\d{1,3}){3}$/.test(host) && !host.includes(":")) return undefined;
  return { address: host === "*" ? wildcardAddress(family) : unmapIpv4(host), port };
}
