import { performance } from "node:perf_hooks";
import type { Diagnostic } from "../core/diagnostics.js";
import { readTcpTable, type TcpTableRead } from "../sockets/read-table.js";
import { connectionEnd, endIsGone, viewOfEnd, type SocketEndView } from "../sockets/socket-end.js";
import type { TcpState } from "../sockets/types.js";

/** The gateway's end of one probe connection, as the kernel table shows it. */
export interface ServerSideView {
  /** The row was seen at least once: only then can its absence mean anything. */
  seen: boolean;
  /** Latest state, "absent" once the row is gone; undefined before the first readable table. */
  state?: TcpState | "absent";
  /** performance.now() of the first read that found the gateway's end gone (or in TIME_WAIT). */
  goneAt?: number;
  /** Owner of the gateway's end in the last owner-resolving read; none once the gateway let go. */
  pid?: number;
  /** The first owner seen holding it (the gateway), kept after the gateway lets go. */
  heldBy?: number;
  /** First read that found the gateway's end held by a process: the gateway had it. */
  heldAt?: number;
  /** First read that found it with no owner: the gateway let go, the kernel still keeps it. */
  orphanAt?: number;
  /** The row in the latest read that still had one: what the kernel kept, and for whom. */
  lastRow?: SocketEndView;
}

export type TableReader = (withOwners: boolean) => Promise<TcpTableRead>;

export function kernelTableReader(platform: NodeJS.Platform): TableReader {
  // Owners need a walk over every process's fds on Linux: only the final read pays for it.
  return (withOwners) => readTcpTable(withOwners ? { platform } : { platform, ownerPids: [] });
}

/** Reading /proc is cheap; netstat on macOS and Windows is a process start and can take seconds. */
export function pollIntervalFor(platform: NodeJS.Platform): number {
  return platform === "linux" ? 250 : 5_000;
}

/**
 * Polls the TCP table for the gateway's end of the probe connections. A gateway that lets go
 * shows in the probe socket first (FIN or reset), but a graceful close leaves the socket in the
 * kernel as an orphan for a minute or (peer not reading) for good: only the table tells when the
 * machine, not just the process, is rid of it.
 */
export class ServerSideWatch {
  private readonly views = new Map<number, ServerSideView>();
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private stopped = false;
  readonly diagnostics: Diagnostic[] = [];
  source = "";
  readable = false;

  constructor(
    private readonly gatewayPort: number,
    private readonly read: TableReader,
    private readonly intervalMs: number,
    private readonly onGone: (clientPort: number) => void,
  ) {}

  track(clientPort: number): void {
    this.views.set(clientPort, { seen: false });
  }

  view(clientPort: number): ServerSideView {
    return this.views.get(clientPort) ?? { seen: false };
  }

  /** The table has shown this probe's gateway end, so the table, not the probe, says when it is gone. */
  judges(clientPort: number): boolean {
    return this.readable && this.view(clientPort).seen;
  }

  /** The first read resolves owners too: by the last one the gateway may have let go, and its pid is worth showing. */
  start(): void {
    let first = true;
    const tick = (): void => {
      if (this.stopped) return;
      this.reading = this.poll(first).finally(() => {
        first = false;
        if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    tick();
  }

  /** Stops polling and takes one last look, with owners, for the report. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.reading;
    await this.poll(true);
  }

  private async poll(withOwners: boolean): Promise<void> {
    let table: TcpTableRead;
    try {
      table = await this.read(withOwners);
    } catch {
      return;
    }
    this.source = table.source;
    const unreadable = table.entries.length === 0 && table.diagnostics.some((d) => d.severity === "error");
    if (unreadable) {
      if (this.diagnostics.length === 0) this.diagnostics.push(...table.diagnostics);
      return;
    }
    this.readable = true;
    const now = performance.now();
    for (const [clientPort, view] of this.views) {
      const row = connectionEnd(table.entries, this.gatewayPort, clientPort);
      view.state = row?.state ?? "absent";
      if (withOwners) view.pid = row?.pid;
      if (row?.pid !== undefined) view.heldBy ??= row.pid;
      const gone = endIsGone(row);
      if (row && !gone) {
        view.seen = true;
        view.lastRow = viewOfEnd(row);
        if (view.lastRow.holder === "process") view.heldAt ??= now;
        if (view.lastRow.holder === "orphan") view.orphanAt ??= now;
      } else if (view.seen && view.goneAt === undefined) {
        view.goneAt = now;
        this.onGone(clientPort);
      }
    }
  }
}
