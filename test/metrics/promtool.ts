import { spawnSync } from "node:child_process";

/** Debian's prometheus package ships promtool; scripts/setup-test-tools.sh installs it where it can. */
export function promtoolSkipReason(): string | false {
  const probe = spawnSync("promtool", ["--version"], { stdio: "ignore", timeout: 10_000 });
  return probe.status === 0 ? false : "promtool not found: install Debian's prometheus package (scripts/setup-test-tools.sh tries to)";
}

/** `promtool check metrics` reads the exposition on stdin and lints names, types and units. */
export function promtoolCheck(exposition: string): { ok: boolean; output: string } {
  const run = spawnSync("promtool", ["check", "metrics"], { input: exposition, encoding: "utf8", timeout: 30_000 });
  return { ok: run.status === 0, output: `${run.stdout ?? ""}${run.stderr ?? ""}` };
}
