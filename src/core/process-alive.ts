/**
 * Whether a process id names a live process on this machine. EPERM means it exists but belongs to
 * someone else: alive. Used to tell a killed run's leftovers (its lock, its temps) from a live run's.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
