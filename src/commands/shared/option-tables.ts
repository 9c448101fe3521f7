import { HOOK_MECHANISMS, type HookMechanism } from "../../hook/driver.js";
import { loopbackHost } from "../../live/loopback-host.js";
import { chooseGatewayPort } from "../../status/gateway-port.js";
import { parseSince } from "../../trace/since.js";
import { CONFIG_OPTIONS } from "./config.js";
import { checkedBy, count, milliseconds, oneOf, path, seconds, type OptionTable } from "./option-schema.js";
import { WAIT_SECONDS } from "./option-values.js";

/** Every command's options, in the order `--help` lists them. */

const WAIT = { flags: "--wait <seconds>", description: "wait this long for another run's lock", parse: seconds(WAIT_SECONDS, "30") } as const;
/** The gateway's own rule for a port, with its message. */
const PORT = checkedBy((raw) => chooseGatewayPort({ option: raw, env: {} }).port);
const PORT_DEFAULTS = "the service's --port, $OPENCLAW_GATEWAY_PORT, gateway.port in openclaw.json, else 18789";

export const TARGET_OPTIONS = {
  dir: { flags: "--dir <path>", description: "the openclaw package folder (or any folder inside it); default: auto-detect", parse: path('"$(npm root -g)/openclaw"') },
  stateDir: { flags: "--state-dir <path>", description: "where records and backups live (default: $OPENCLAW_PATCH_STATE_DIR, XDG state dir or ~/.openclaw-patch)", parse: path("~/.openclaw-patch") },
  json: { flags: "--json", description: "print machine-readable JSON" },
} as const satisfies OptionTable;

export const APPLY_OPTIONS = {
  dryRun: { flags: "--dry-run", description: "show every edit and write nothing" },
  force: { flags: "--force", description: "overwrite files someone else changed since they were patched" },
  ifNeeded: { flags: "--if-needed", description: "post-upgrade hook mode: fast no-change check, patch after an upgrade, never fail (exit 0)" },
  wait: WAIT,
  ...CONFIG_OPTIONS,
} as const satisfies OptionTable;

export const REVERT_OPTIONS = {
  force: { flags: "--force", description: "overwrite files that match neither the patched nor the original content" },
  forget: { flags: "--forget", description: "drop the install record without touching files (after a manual reinstall)" },
  wait: WAIT,
} as const satisfies OptionTable;

export const VERIFY_OPTIONS = {
  node: { flags: "--node <path>", description: "the Node binary that runs the gateway, for node --check (default: the first Node at hand that the release's engines admit: the service's, the npm prefix's, ~/.openclaw/tools/node-*, beside openclaw, this one)", parse: path("/usr/bin/node") },
  selfTest: { flags: "--no-self-test", description: "skip the behavioural self-test of the injected runtime" },
  live: { flags: "--live", description: "probe the running gateway: time how long it keeps a connection that never answers, against the fixes' bound" },
  port: { flags: "--port <n>", description: `with --live: gateway port (default: ${PORT_DEFAULTS})`, parse: PORT },
  host: { flags: "--host <address>", description: "with --live: loopback address of the gateway (default 127.0.0.1)", parse: checkedBy(loopbackHost) },
  token: { flags: "--token <token>", description: "with --live: gateway token, to probe an authenticated connection as well as a pre-auth one" },
  heartbeatMs: { flags: "--heartbeat-ms <ms>", description: "with --live: heartbeat to expect (default: OPENCLAW_PATCH_HEARTBEAT_MS, else the install record)", parse: milliseconds(10_000) },
  pongTimeoutMs: { flags: "--pong-timeout-ms <ms>", description: "with --live: pong timeout to expect (default: OPENCLAW_PATCH_PONG_TIMEOUT_MS, else the install record)", parse: milliseconds(10_000) },
  closeGraceMs: { flags: "--close-grace-ms <ms>", description: "with --live: close grace to expect (default: OPENCLAW_PATCH_CLOSE_GRACE_MS, else the install record)", parse: milliseconds(10_000) },
  handshakeTimeoutMs: {
    flags: "--handshake-timeout-ms <ms>",
    description: "with --live: the gateway's pre-auth handshake timeout (default: OPENCLAW_HANDSHAKE_TIMEOUT_MS, gateway.handshakeTimeoutMs, else the release's default)",
    parse: milliseconds(10_000),
  },
} as const satisfies OptionTable;

/** --watch and --watch-count are checked together by watchPlan (status/watch-options.ts), with the same value parsers. */
export const STATUS_OPTIONS = {
  port: { flags: "--port <n>", description: `gateway port whose TCP table to show (default: ${PORT_DEFAULTS})`, parse: PORT },
  watch: { flags: "--watch [seconds]", description: "refresh the TCP table every N seconds (default 2) until Ctrl-C" },
  watchCount: { flags: "--watch-count <n>", description: "with --watch: stop after N frames" },
} as const satisfies OptionTable;

export const TRACE_OPTIONS = {
  follow: { flags: "--follow", description: "print events as they come (Ctrl-C to stop)" },
  since: { flags: "--since <when>", description: "only events since then: 15m, 2h, 12:30 or a date", parse: checkedBy((raw) => parseSince(raw)) },
  json: { flags: "--json", description: "print machine-readable JSON" },
} as const satisfies OptionTable;

export const METRICS_OPTIONS = {
  textfile: { flags: "--textfile <dir>", description: "write openclaw-patch-<install>.prom into this folder (node_exporter's textfile collector) instead of printing", parse: path("/var/lib/prometheus/node-exporter") },
  install: { flags: "--install <name>", description: "the install label (default: the OpenClaw state folder the trace is in)", parse: checkedBy((raw) => raw) },
  json: { flags: "--json", description: "print the metric families as JSON" },
} as const satisfies OptionTable;

export const REPORT_OPTIONS = {
  html: { flags: "--html <file>", description: "write the report to this HTML file (one file that opens offline)", parse: path("gateway-report.html") },
  since: TRACE_OPTIONS.since,
  install: METRICS_OPTIONS.install,
  json: { flags: "--json", description: "print what was written as JSON" },
} as const satisfies OptionTable;

export const WATCH_OPTIONS = {
  interval: { flags: "--interval <seconds>", description: "how often to check", defaultText: "10", parse: seconds({ min: 1, max: 86_400 }, "10") },
  maxChecks: { flags: "--max-checks <n>", description: "stop after this many checks (default: until interrupted)", parse: count({ min: 1, max: Number.MAX_SAFE_INTEGER }, "checks") },
} as const satisfies OptionTable;

/** The values of hook's options; hook.ts declares its flags itself. */
export const HOOK_OPTIONS = {
  wait: WAIT,
  mechanism: {
    flags: "--mechanism <name>",
    description: `one of ${HOOK_MECHANISMS.join(", ")} (default: chosen for this platform and release)`,
    // Kept apart from OCP_BAD_OPTION (same exit code): scripts match on the published code.
    parse: oneOf<"auto" | HookMechanism>(["auto", ...HOOK_MECHANISMS], {
      code: "OCP_HOOK_BAD_OPTION",
      message: (raw, flag) => `unknown ${flag} ${raw}; use one of auto, ${HOOK_MECHANISMS.join(", ")}`,
      remedy: "see `openclaw-patch hook --help`",
    }),
  },
} as const satisfies OptionTable;
