import { emptyStateCounts, type StateCounts } from "./tcp-states.js";
import type { TcpEntry } from "./types.js";

/**
 * What the TCP table says about one gateway port. Rows are split by which end of the connection sits on
 * the gateway port: a loopback connection appears twice (Windows and macOS netstat, and Linux /proc all
 * list both ends), and the two ends mean opposite things. FIN_WAIT_2 on the gateway pairs with CLOSE_WAIT
 * on the client: the gateway closed and the client never did. Adding them up would double count and blame
 * the wrong side, so they are kept apart.
 */
export interface GatewaySocketSummary {
  port: number;
  /** LISTEN rows on the port: one per bound address (127.0.0.1 and ::1 by default). 0 = not running. */
  listening: number;
  /** Rows whose local port is the gateway port: the gateway's own sockets, LISTEN included. */
  gatewaySide: StateCounts;
  /** Rows whose remote port is the gateway port: clients on this machine. */
  peerSide: StateCounts;
  /**
   * Gateway-side closes that have not finished: FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK (the gateway
   * closed or answered a close and the peer stopped answering) and CLOSE_WAIT (the peer closed and the
   * gateway has not, see stalledCloses).
   */
  lingeringCloses: number;
  /**
   * Gateway-side CLOSE_WAIT. The ws layer answers a client's FIN at once, so this only builds up while the
   * gateway's event loop is not running (research M6): a stall, not a socket bug.
   */
  stalledCloses: number;
  /**
   * Of those lingering closes, the ones no process holds any more (where the table tells): the
   * gateway let go, the kernel did not. A graceful close behind data the peer never read leaves
   * these; the abortive close resets such sockets instead.
   */
  orphanedCloses: number;
  /** Pids seen owning gateway-side rows (where the platform tells). */
  gatewayPids: number[];
  /** Pids seen owning peer-side rows: the clients to talk to about their CLOSE_WAIT. */
  peerPids: number[];
  /** Gateway-port rows owned by a process outside the given gatewayPids, left out of the counts. */
  otherOwnerRows: number;
}

export interface SummaryOptions {
  port: number;
  /**
   * When known, gateway-port rows owned by other processes are left out (another server reusing the port).
   * Rows with no known owner stay in: the kernel keeps TIME_WAIT and orphaned closes after the fd is gone.
   */
  gatewayPids?: readonly number[];
}

const LINGERING: readonly (keyof StateCounts)[] = ["FIN_WAIT_1", "FIN_WAIT_2", "CLOSING", "LAST_ACK", "CLOSE_WAIT"];
/** Closing states a process can leave behind; CLOSE_WAIT with no owner is a connection not yet accepted. */
const ORPHAN_STATES: ReadonlySet<string> = new Set(["FIN_WAIT_1", "FIN_WAIT_2", "CLOSING", "LAST_ACK"]);

export function summarizeGatewaySockets(entries: readonly TcpEntry[], options: SummaryOptions): GatewaySocketSummary {
  const { port } = options;
  const allowedPids = options.gatewayPids ? new Set(options.gatewayPids) : undefined;
  const gatewaySide = emptyStateCounts();
  const peerSide = emptyStateCounts();
  const gatewayPids = new Set<number>();
  const peerPids = new Set<number>();
  let otherOwnerRows = 0;
  let orphanedCloses = 0;
  for (const entry of entries) {
    if (entry.localPort === port) {
      if (allowedPids && entry.pid !== undefined && !allowedPids.has(entry.pid)) {
        otherOwnerRows++;
        continue;
      }
      gatewaySide[entry.state]++;
      if (entry.pid !== undefined) gatewayPids.add(entry.pid);
      if (entry.detached === true && ORPHAN_STATES.has(entry.state)) orphanedCloses++;
    } else if (entry.remotePort === port && entry.state !== "LISTEN") {
      peerSide[entry.state]++;
      if (entry.pid !== undefined) peerPids.add(entry.pid);
    }
  }
  return {
    port,
    listening: gatewaySide.LISTEN,
    gatewaySide,
    peerSide,
    lingeringCloses: LINGERING.reduce((sum, state) => sum + gatewaySide[state], 0),
    stalledCloses: gatewaySide.CLOSE_WAIT,
    orphanedCloses,
    gatewayPids: [...gatewayPids].sort((a, b) => a - b),
    peerPids: [...peerPids].sort((a, b) => a - b),
    otherOwnerRows,
  };
}

export type FixStatus = boolean | "partial";

/**
 * - gateway-stalled: gateway-side CLOSE_WAIT; only the event loop can clear it (M6). One snapshot can catch
 *   a CLOSE_WAIT in the instant between a FIN arriving and the loop's next turn; several, or the same ones
 *   on a second look, are the real signal, which is why `trace` samples over time.
 * - zombies: gateway-side closes the peer never finished (M3); the socket fix bounds them.
 * - table-partial: the table lists no listening socket at all (Wine's netstat), so neither "nothing
 *   listens" nor "no zombies" can be read from it (and nothing above applies).
 * - no-listener: nothing listens on the port (and nothing above applies).
 * - healthy: none of the above. ESTABLISHED is not judged: a frozen or vanished client (M1, M2) looks
 *   exactly like a live one in the table, so "healthy" never vouches for ESTABLISHED rows.
 */
export type VerdictCode = "gateway-stalled" | "zombies" | "table-partial" | "no-listener" | "healthy";

export interface Verdict {
  code: VerdictCode;
  /** One line for the operator. */
  line: string;
  /** Further facts worth a line each; may be empty. */
  notes: string[];
}

export function verdict(summary: GatewaySocketSummary, options: { fixApplied: FixStatus; partialTable?: boolean }): Verdict {
  const { gatewaySide, peerSide, port } = summary;
  const zombies = summary.lingeringCloses - summary.stalledCloses;
  const established = gatewaySide.ESTABLISHED;
  const notes: string[] = [];

  if (summary.stalledCloses > 0 && zombies > 0) {
    notes.push(`${zombies} more gateway-side closes wait on peers that stopped answering (FIN_WAIT/LAST_ACK).`);
  }
  if (established > 0) {
    notes.push(
      `${established} established: the table cannot tell a live client from a frozen or vanished one; compare with the clients you expect, or see \`openclaw-patch trace\`.`,
    );
  }
  if (peerSide.CLOSE_WAIT > 0) {
    notes.push(
      `${peerSide.CLOSE_WAIT} client-side CLOSE_WAIT: those clients never closed their end after the gateway closed — the client's fault, not the gateway's.`,
    );
  }
  if (summary.orphanedCloses > 0) {
    notes.push(
      `${summary.orphanedCloses} of the gateway-side closes are orphans: no process holds them, the kernel keeps them behind data the peer never read. With abortive close on (the default) the fixes reset such sockets instead; \`openclaw-patch status\` shows the setting.`,
    );
  }
  if (gatewaySide.TIME_WAIT > 0) notes.push(`${gatewaySide.TIME_WAIT} TIME_WAIT: normal after a close; they expire on their own.`);
  const noListener = summary.listening === 0 && options.partialTable !== true;
  if (noListener && (summary.stalledCloses > 0 || zombies > 0)) notes.push(`Nothing is listening on port ${port}: the gateway has stopped or moved.`);

  if (summary.stalledCloses > 0) {
    return {
      code: "gateway-stalled",
      line: `${summary.stalledCloses} gateway-side CLOSE_WAIT: the gateway's event loop is stalled (M6); a socket fix does not help — see \`openclaw-patch trace\` for stalls`,
      notes,
    };
  }
  if (zombies > 0) {
    return { code: "zombies", line: `${zombies} zombie ${zombies === 1 ? "socket" : "sockets"}: peers stopped answering; ${fixPhrase(options.fixApplied)}`, notes };
  }
  if (options.partialTable === true) {
    return {
      code: "table-partial",
      line: `${established} established on port ${port}; this table shows no listening or closing (FIN_WAIT/LAST_ACK) sockets, so listeners and zombies cannot be counted`,
      notes,
    };
  }
  if (noListener) return { code: "no-listener", line: `no gateway listening on port ${port}`, notes };
  return { code: "healthy", line: `healthy: ${established} established, 0 zombies`, notes };
}

/** With the fix the process lets go after a 1 s grace; what remains is a kernel orphan with its own timeout. */
function fixPhrase(fixApplied: FixStatus): string {
  if (fixApplied === true) return "fix applied, so the gateway should reset them within its bounds (heartbeat + pong timeout + close grace); if they stay, restart the gateway so it runs the fix";
  if (fixApplied === "partial") return "fix only partly applied";
  return "fix not applied";
}
