import { performance } from "node:perf_hooks";
import { diagnostic } from "../core/diagnostics.js";
import { isPartialTable, PARTIAL_TABLE_CODE, readTcpTable, type TcpTableRead } from "../sockets/read-table.js";
import { connectionEnd, describeEnd, endIsGone, viewOfEnd, type SocketEndView } from "../sockets/socket-end.js";
import type { SelfTestKernelCheckpoint, SelfTestScriptCheck } from "./child/protocol.js";

/** What the kernel's table showed of the server's end of one self-test connection. */
export interface KernelEvidence {
  /** False when the table could not be read here: the check then stands on what the process saw. */
  readable: boolean;
  /** Why the table could not be read (no /proc, netstat missing). */
  unreadableReason?: string;
  /** No row, or only TIME_WAIT. */
  gone: boolean;
  /** The row in the last read that had one; null when none was seen. */
  lastSeen: SocketEndView | null;
  /** From the checkpoint to the read that decided. */
  waitedMs: number;
}

/** A check of the program, judged against the kernel's table too. */
export interface SelfTestCheck extends SelfTestScriptCheck {
  /** The server's end in the kernel's table; absent when the check has no end to look for. */
  kernel?: KernelEvidence;
}

export type SelfTestTableReader = (ownerPids: readonly number[]) => Promise<TcpTableRead>;

export const defaultSelfTestTableReader: SelfTestTableReader = (ownerPids) => readTcpTable({ platform: process.platform, ownerPids });

export interface KernelPollOptions {
  read: SelfTestTableReader;
  /** How long a dropped connection's server end may take to leave the table after the checkpoint. */
  graceMs: number;
  intervalMs: number;
}

/**
 * Reads the table until every end the program says is dropped has left it, or the grace runs out.
 * A reset leaves at once; an orphan stays for a minute or more, so the grace only absorbs the poll.
 */
export async function pollKernelEnds(checkpoint: SelfTestKernelCheckpoint, options: KernelPollOptions): Promise<Map<string, KernelEvidence>> {
  const started = performance.now();
  const evidence = new Map<string, KernelEvidence>();
  const maxReads = Math.max(1, Math.ceil(options.graceMs / options.intervalMs) + 1);
  for (let read = 0; read < maxReads; read++) {
    let table: TcpTableRead;
    try {
      table = await options.read([checkpoint.pid]);
    } catch (error) {
      table = { entries: [], source: "none", diagnostics: [diagnostic("OCP_SELF_TEST_TABLE_UNREADABLE", `Reading the TCP table failed: ${String(error)}`, "Run `openclaw-patch status` to see whether the table can be read here.")] };
    }
    const waitedMs = Math.round(performance.now() - started);
    // A table that cannot show closing sockets (Wine's netstat) would call every orphan gone.
    const failure =
      (table.entries.length === 0 ? table.diagnostics.find((d) => d.severity === "error") : undefined) ??
      (isPartialTable(table) ? table.diagnostics.find((d) => d.code === PARTIAL_TABLE_CODE) : undefined);
    if (failure) {
      for (const end of checkpoint.ends) evidence.set(end.check, { readable: false, unreadableReason: `${failure.code}: ${failure.message}`, gone: false, lastSeen: null, waitedMs });
      return evidence;
    }
    for (const end of checkpoint.ends) {
      const row = connectionEnd(table.entries, checkpoint.serverPort, end.clientPort);
      const previous = evidence.get(end.check);
      evidence.set(end.check, { readable: true, gone: endIsGone(row), lastSeen: row ? viewOfEnd(row) : (previous?.lastSeen ?? null), waitedMs });
    }
    const settled = checkpoint.ends.every((end) => end.expect === "open" || evidence.get(end.check)?.gone);
    if (settled || read === maxReads - 1 || performance.now() - started >= options.graceMs) break;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
  return evidence;
}

/**
 * Folds the table into the program's checks: a misbehaving client is dropped only when the server's
 * end has left the kernel, and a healthy one is kept only while the server's end is established
 * and held by the server's process.
 */
export function withKernelEvidence(checks: readonly SelfTestScriptCheck[], checkpoint: SelfTestKernelCheckpoint | null, evidence: ReadonlyMap<string, KernelEvidence>): SelfTestCheck[] {
  return checks.map((check) => {
    const end = checkpoint?.ends.find((e) => e.check === check.name);
    const seen = evidence.get(check.name);
    if (!end) return check;
    if (!seen) return { ...check, detail: `${check.detail}; the kernel's table was not read (the program reached no checkpoint)` };
    if (!seen.readable) return { ...check, kernel: seen, detail: `${check.detail}; the kernel's table could not be read here (${seen.unreadableReason ?? "unknown reason"}), so only the process's view counts` };
    if (end.expect === "gone") {
      if (seen.gone) {
        const where = seen.lastSeen?.state === "TIME_WAIT" ? "only in TIME_WAIT (closed)" : "gone from the kernel's table";
        const before = seen.lastSeen && seen.lastSeen.state !== "TIME_WAIT" ? ` ${seen.waitedMs} ms after the checkpoint (last seen ${describeEnd(seen.lastSeen)})` : "";
        return { ...check, kernel: seen, detail: `${check.detail}; server's end ${where}${before}` };
      }
      const still = seen.lastSeen === null ? "a row" : describeEnd(seen.lastSeen);
      return { ...check, kernel: seen, passed: false, detail: `${check.detail}; but the kernel still holds the server's end ${seen.waitedMs} ms later: ${still}` };
    }
    const alive = !seen.gone && seen.lastSeen?.state === "ESTABLISHED" && seen.lastSeen.holder !== "orphan";
    const what = seen.gone || seen.lastSeen === null ? "gone from the kernel's table" : describeEnd(seen.lastSeen);
    return { ...check, kernel: seen, passed: check.passed && alive, detail: `${check.detail}; server's end ${what}` };
  });
}
