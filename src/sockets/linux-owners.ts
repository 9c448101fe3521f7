import { readdirSync, readlinkSync } from "node:fs";
import path from "node:path";
import type { TcpEntry } from "./types.js";

export interface SocketOwners {
  /** Socket inode → pid of a process holding an fd on it (the first found when several share it). */
  pidByInode: Map<number, number>;
  /** Open fd count per process whose fd directory was readable. */
  fdCountByPid: Map<number, number>;
  /** Processes whose fds we may not read (another user's, without root): their sockets stay ownerless. */
  unreadablePids: number[];
}

export interface OwnerReadOptions {
  procRoot?: string;
  /** Only look at these processes; scanning every /proc/<pid>/fd is the slow part on a busy host. */
  pids?: readonly number[];
}

const SOCKET_LINK = /^socket:\[(\d+)\]$/;

/**
 * Maps socket inodes to pids through the /proc/<pid>/fd/* links. Processes and fds come and go while we
 * read, so ENOENT is expected and skipped; EACCES is recorded but not an error.
 */
export function readSocketOwners(options: OwnerReadOptions = {}): SocketOwners {
  const procRoot = options.procRoot ?? "/proc";
  const owners: SocketOwners = { pidByInode: new Map(), fdCountByPid: new Map(), unreadablePids: [] };
  for (const pid of options.pids ?? listPids(procRoot)) {
    const fdDir = path.join(procRoot, String(pid), "fd");
    let fds: string[];
    try {
      fds = readdirSync(fdDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EACCES") owners.unreadablePids.push(pid);
      continue;
    }
    owners.fdCountByPid.set(pid, fds.length);
    for (const fd of fds) {
      const inode = socketInode(path.join(fdDir, fd));
      if (inode !== undefined && !owners.pidByInode.has(inode)) owners.pidByInode.set(inode, pid);
    }
  }
  return owners;
}

function listPids(procRoot: string): number[] {
  try {
    return readdirSync(procRoot)
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

function socketInode(link: string): number | undefined {
  try {
    const match = SOCKET_LINK.exec(readlinkSync(link));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Copies of the entries with pid filled in where the inode is held by a process we could read. */
export function withOwners(entries: readonly TcpEntry[], pidByInode: ReadonlyMap<number, number>): TcpEntry[] {
  return entries.map((entry) => {
    // inode 0 is never held by a file (TIME_WAIT, orphans, unaccepted), so it has no owner to find.
    const pid = entry.inode ? pidByInode.get(entry.inode) : undefined;
    return pid === undefined ? entry : { ...entry, pid };
  });
}
