import { performance } from "node:perf_hooks";
import type { Diagnostic } from "../core/diagnostics.js";
import { readTcpTable, type TcpTableRead } from "../sockets/read-table.js";
import type { TcpEntry, TcpState } from "../sockets/types.js";

/** The gateway's end of one probe connection, as the kernel table shows it. */
export interface ServerSideView {
  /** The row was seen at least once: only then can its absence mean anything. */
  seen: boolean;
  /** Latest state, "absent" once the row is gone; undefined before the first readable table. */
  state?: TcpState | "absent";
  /** performance.now() of the first read that found the gateway's end gone (or in TIME_WAIT). */
  goneAt?: number;
  /** Owner of the gateway's end in the last owner-resolving read, when readable. */
  pid?: number;
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
 * shows in the probe socket first (FIN or reset); the table also catches the case where the
 * kernel dropped the gateway's end without the probe hearing about it.
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

  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.reading = this.poll(false).finally(() => {
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
      const row = gatewayEnd(table.entries, this.gatewayPort, clientPort);
      const state = row?.state ?? "absent";
      view.state = state;
      if (row?.pid !== undefined) view.pid = row.pid;
      const gone = state === "absent" || state === "TIME_WAIT" || state === "CLOSE";
      if (!gone) view.seen = true;
      else if (view.seen && view.goneAt === undefined) {
        view.goneAt = now;
        this.onGone(clientPort);
      }
    }
  }
}

function gatewayEnd(entries: readonly TcpEntry[], gatewayPort: number, clientPort: number): TcpEntry | undefined {
  return entries.find((e) => e.localPort === gatewayPort && e.remotePort === clientPort && e.state !== "LISTEN");
}
