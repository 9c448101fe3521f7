import { cmdQuote, shQuote } from "./quote.js";

/** Marks every file and edit the hook makes, so status and uninstall can recognise them. */
export const HOOK_MARKER = "openclaw-patch-hook";

/** What the hook re-runs: `"<node>" "<cli.js>" apply --if-needed --dir "<package root>"`. */
export interface RepatchTarget {
  nodePath: string;
  /** Absolute path of openclaw-patch's build/src/cli.js. */
  cliPath: string;
  /** The OpenClaw package root the gateway runs from. */
  packageRoot: string;
  /**
   * Passed as --state-dir so the re-patch uses the same records as the operator's own runs: a
   * service's environment often lacks XDG_STATE_HOME or OPENCLAW_PATCH_STATE_DIR from a login shell.
   */
  stateDir?: string;
}

/** Which hook ran the re-patch; passed to it as OPENCLAW_PATCH_HOOK so its log can say so. */
export type RepatchCaller = "wrapper" | "systemd" | "launchd" | "schtasks" | "exec";

/**
 * Upper bounds on one re-patch run. systemd counts ExecStartPre against the unit's
 * TimeoutStartSec (30 s in every OpenClaw unit since 2026.3), and a start that times out is a
 * failed start even with the "-" prefix, so the systemd bound stays well below it. Elsewhere
 * nothing times the start, and the bound only guards against a hung run.
 */
export const REPATCH_LIMIT_SECONDS: Record<RepatchCaller, number> = {
  wrapper: 45,
  exec: 45,
  launchd: 45,
  systemd: 20,
  schtasks: 0,
};

export function repatchArgv(target: RepatchTarget): string[] {
  return [target.nodePath, target.cliPath, ...repatchArguments(target)];
}

/** The arguments after the cli path. */
export function repatchArguments(target: RepatchTarget): string[] {
  const args = ["apply", "--if-needed", "--dir", target.packageRoot];
  if (target.stateDir !== undefined) args.push("--state-dir", target.stateDir);
  return args;
}

/** The re-patch command as an operator would type it on this platform. */
export function repatchDisplay(target: RepatchTarget, platform: NodeJS.Platform): string {
  const quote = platform === "win32" ? cmdQuote : shQuote;
  return repatchArgv(target).map(quote).join(" ");
}

/**
 * POSIX sh that sets the `openclaw_patch_*` variables and defines `openclaw_patch_repatch`, which
 * runs the re-patch with its output on stderr and never fails: a missing openclaw-patch is skipped,
 * a failing one is reported, and one that outlives the limit is stopped by a watchdog. The
 * watchdog is built from `sleep` and `kill` because `timeout(1)` is not on macOS.
 */
export function renderShellRepatch(target: RepatchTarget, caller: RepatchCaller, limitSeconds: number): string {
  const limit = Math.max(1, Math.floor(limitSeconds));
  return `openclaw_patch_node=${shQuote(target.nodePath)}
openclaw_patch_cli=${shQuote(target.cliPath)}
openclaw_patch_limit=${limit}
if [ ! -x "$openclaw_patch_node" ]; then
  openclaw_patch_node=$(command -v node 2>/dev/null) || openclaw_patch_node=node
fi
openclaw_patch_repatch() {
  if [ ! -f "$openclaw_patch_cli" ]; then
    echo "openclaw-patch: re-patch skipped: $openclaw_patch_cli not found" >&2
    return 0
  fi
  OPENCLAW_PATCH_HOOK=${caller} "$openclaw_patch_node" "$openclaw_patch_cli" ${repatchArguments(target).map(shQuote).join(" ")} </dev/null >&2 &
  openclaw_patch_pid=$!
  (
    trap 'kill "$openclaw_patch_sleep" 2>/dev/null; exit 0' TERM
    sleep "$openclaw_patch_limit" &
    openclaw_patch_sleep=$!
    wait "$openclaw_patch_sleep" || exit 0
    echo "openclaw-patch: re-patch still running after \${openclaw_patch_limit}s; stopping it" >&2
    kill "$openclaw_patch_pid" 2>/dev/null
  ) &
  openclaw_patch_watchdog=$!
  wait "$openclaw_patch_pid"
  openclaw_patch_status=$?
  kill "$openclaw_patch_watchdog" 2>/dev/null
  wait "$openclaw_patch_watchdog" 2>/dev/null
  if [ "$openclaw_patch_status" -ne 0 ]; then
    echo "openclaw-patch: re-patch exited with status $openclaw_patch_status; starting the gateway anyway" >&2
  fi
  return 0
}
`;
}
