/**
 * Address spelling shared by every platform reader, so that a gateway seen through /proc, macOS netstat
 * or Windows netstat compares equal: lowercase, RFC 5952 compressed IPv6, and IPv4-mapped IPv6 written
 * as the plain IPv4 address it stands for (a dual-stack socket talking to 127.0.0.1 is talking to 127.0.0.1).
 */

const MAPPED_IPV4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

export function unmapIpv4(address: string): string {
  const match = MAPPED_IPV4.exec(address);
  return match?.[1] ?? address.toLowerCase();
}

export function formatIpv4(bytes: ArrayLike<number>): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** 16 network-order bytes to RFC 5952 text (longest run of two or more zero groups becomes "::"). */
export function formatIpv6(bytes: ArrayLike<number>): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (isMapped) return formatIpv4([bytes[12] ?? 0, bytes[13] ?? 0, bytes[14] ?? 0, bytes[15] ?? 0]);

  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; ) {
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end === start ? start + 1 : end;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** Wildcard "*" (macOS) spelled the way Linux and Windows print an unbound address. */
export function wildcardAddress(family: 4 | 6): string {
  return family === 4 ? "0.0.0.0" : "::";
}
