import { readFileSync } from "node:fs";
import path from "node:path";
import type { TcpEntry } from "../sockets/types.js";

export interface ProcessRef {
  pid: number;
  /** As the table printed it (macOS), else /proc/<pid>/comm (Linux); absent when not readable. */
  name?: string;
}

/** Names for the pids the summary found; a process that exited meanwhile simply has no name. */
export function processRefs(pids: readonly number[], entries: readonly TcpEntry[], options: { platform: NodeJS.Platform; procRoot?: string }): ProcessRef[] {
  return pids.map((pid) => {
    const name = entries.find((e) => e.pid === pid && e.processName)?.processName ?? (options.platform === "linux" ? procComm(pid, options.procRoot ?? "/proc") : undefined);
    return name === undefined ? { pid } : { pid, name };
  });
}

function procComm(pid: number, procRoot: string): string | undefined {
  try {
    return readFileSync(path.join(procRoot, String(pid), "comm"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
