import type { TraceRecord } from "../../src/trace/records.js";

const MIB = 2 ** 20;

/**
 * A day (or more) of a busy patched gateway, written the way the runtime writes it: a summary every
 * minute, a connection every 10 s that a fix or the peer ends, a stall now and then, and a restart
 * every 6 hours. For the report's size and point bounds; the figures are invented, the shapes real.
 */
export function syntheticTrace(start: number, hours: number): TraceRecord[] {
  const records: TraceRecord[] = [];
  let pid = 1_000;
  let conn = 0;
  const end = start + hours * 3_600_000;
  for (let ts = start; ts < end; ts += 10_000) {
    if ((ts - start) % (6 * 3_600_000) === 0) {
      pid += 1;
      records.push({ ts, pid, ev: "started", tool: "0.1.0", release: "2026.3.24", level: "lifecycle", node: "v24.14.0", fixes: ["heartbeat", "close-grace"], config: { heartbeatMs: 30_000, abortiveClose: true }, trace: { summaryMs: 60_000 }, endRecords: true });
    }
    conn += 1;
    records.push({ ts: ts + 1, pid, ev: "open", conn, server: "gateway", peer: "127.0.0.1", port: 40_000 + (conn % 20_000) });
    if (conn % 3 === 0) records.push({ ts: ts + 2, pid, ev: "terminated", conn, mechanism: conn % 2 === 0 ? "heartbeat" : "close-grace", reset: true });
    records.push({ ts: ts + 3, pid, ev: "closed", conn, code: 1006, durationMs: 2 });
    if ((ts - start) % 60_000 === 0) {
      const minute = (ts - start) / 60_000;
      records.push({
        ts: ts + 4,
        pid,
        ev: "summary",
        sockets: { connecting: 0, open: minute % 7, closing: minute % 3, closed: 0 },
        bufferedBytes: 0,
        memory: { rss: (400 + (minute % 50)) * MIB, heapUsed: (150 + (minute % 40)) * MIB, heapTotal: 220 * MIB, external: 20 * MIB, arrayBuffers: MIB },
        loopDelayMs: { p50: 0.2, p99: 0.8 + (minute % 5) / 10, max: 3 + (minute % 11) },
      });
      if (minute % 97 === 0) records.push({ ts: ts + 5, pid, ev: "stall", ms: 1_200 });
    }
  }
  return records;
}
