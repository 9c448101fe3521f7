/**
 * Crash injection for the kill tests: OPENCLAW_PATCH_FAILPOINT=<name>[:<n>] kills the process with
 * SIGKILL the n-th time (default first) the named point is reached. Unset in normal use.
 */
const counters = new Map<string, number>();

export function failpoint(name: string): void {
  const spec = process.env.OPENCLAW_PATCH_FAILPOINT;
  if (!spec) return;
  const [wanted, nth] = spec.split(":");
  if (wanted !== name) return;
  const count = (counters.get(name) ?? 0) + 1;
  counters.set(name, count);
  if (count >= Number(nth ?? 1)) process.kill(process.pid, "SIGKILL");
}
