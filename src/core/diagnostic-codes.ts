/**
 * The catalogue of every diagnostic code openclaw-patch reports: how severe it can be, the exit code
 * it ends a command with when it is the error, and a title. `DiagnosticCode` is derived from it, so a
 * code that is not listed here does not compile, and docs/diagnostics.md is generated from it
 * (scripts/diagnostics-doc.mjs). Codes are public: never rename one once published.
 */
export type Severity = "error" | "warning" | "info";

/** Which documented exit code an error ends with; the numbers live in cli/exit-codes.ts. */
export type ExitKind = "failed" | "usage" | "unpatchable" | "conflict" | "permission" | "locked" | "ambiguous" | "internal";

export interface CodeEntry {
  /** Every severity the code is reported with; the first is the usual one. */
  severity: readonly [Severity, ...Severity[]];
  exit: ExitKind;
  title: string;
  /** Set for codes the injected runtime emits in the gateway as Node process warnings (not as diagnostics). */
  processWarning?: true;
}

const error = ["error"] as const;
const warning = ["warning"] as const;
const errorOrWarning = ["error", "warning"] as const;

export const DIAGNOSTIC_CODES = {
  // The install and its package
  OCP_NOT_OPENCLAW: { severity: error, exit: "usage", title: "The folder is not an OpenClaw package" },
  OCP_NO_INSTALL: { severity: ["error", "info"], exit: "usage", title: "No OpenClaw install was found" },
  OCP_SEVERAL_INSTALLS: { severity: error, exit: "ambiguous", title: "Several OpenClaw installs were found; --dir must choose one" },
  OCP_PACKAGE_SYMLINK: { severity: error, exit: "unpatchable", title: "The package's dist/ is a symbolic link" },
  OCP_PACKAGE_JSON_INVALID: { severity: warning, exit: "failed", title: "The package's package.json is unreadable" },
  OCP_BUILD_INFO_INVALID: { severity: warning, exit: "failed", title: "dist/build-info.json is unreadable; package.json gives the version" },
  OCP_VERSION_MISMATCH: { severity: warning, exit: "failed", title: "build-info.json and package.json name different versions" },
  OCP_SHIM_UNRECOGNIZED: { severity: warning, exit: "failed", title: "An openclaw on PATH does not lead to an OpenClaw package" },
  OCP_SERVICE_UNREADABLE: { severity: warning, exit: "failed", title: "A gateway service definition could not be read" },
  OCP_SERVICE_NO_ENTRY: { severity: warning, exit: "failed", title: "A gateway service names no OpenClaw entry file" },
  OCP_SERVICE_TARGET_MISSING: { severity: warning, exit: "failed", title: "A gateway service starts a file that is not in an OpenClaw package" },
  OCP_SERVICE_NODE_MISSING: { severity: warning, exit: "failed", title: "The Node binary of the gateway service does not exist" },
  OCP_OPENCLAW_CONFIG_UNREADABLE: { severity: warning, exit: "failed", title: "The OpenClaw config could not be read" },
  OCP_OPENCLAW_CONFIG_UNPARSED: { severity: warning, exit: "failed", title: "The OpenClaw config could not be parsed" },

  // Command-line input and the state folder
  OCP_BAD_OPTION: { severity: error, exit: "usage", title: "A command-line option has a bad value" },
  OCP_STATE_DIR_UNUSABLE: { severity: error, exit: "usage", title: "The state path cannot be a folder" },
  OCP_LOCKED: { severity: error, exit: "locked", title: "Another openclaw-patch run holds the lock" },
  OCP_MANIFEST_CORRUPT: { severity: error, exit: "usage", title: "The install record is unreadable" },
  OCP_MANIFEST_UNSAFE: { severity: error, exit: "usage", title: "A recorded path leads out of the package" },
  OCP_JOURNAL_CORRUPT: { severity: error, exit: "usage", title: "The journal of an interrupted run is unreadable" },
  OCP_JOURNAL_UNSAFE: { severity: error, exit: "usage", title: "The journal names a path that leads out of the package" },
  OCP_BACKUP_MISSING: { severity: error, exit: "usage", title: "A backup of an original file is missing" },
  OCP_BACKUP_CORRUPT: { severity: error, exit: "usage", title: "A backup of an original file no longer matches its hash" },
  OCP_RECORD_SET_ASIDE: { severity: warning, exit: "failed", title: "An unreadable install record was set aside" },

  // apply
  OCP_SITE_NOT_FOUND: { severity: error, exit: "unpatchable", title: "A patch site is missing from this release" },
  OCP_SITE_AMBIGUOUS: { severity: error, exit: "unpatchable", title: "A patch site matches more than once" },
  OCP_BUNDLE_UNPARSABLE: { severity: warning, exit: "unpatchable", title: "A bundle that holds gateway anchors does not parse" },
  OCP_PATCH_BREAKS_SYNTAX: { severity: error, exit: "unpatchable", title: "Patching would produce code that does not parse" },
  OCP_ALREADY_INJECTED: { severity: error, exit: "unpatchable", title: "A file was already patched by another copy or by hand" },
  OCP_RUNTIME_PATH_TAKEN: { severity: error, exit: "unpatchable", title: "The release ships a file where the runtime goes" },
  OCP_TARGET_CHANGED: { severity: error, exit: "conflict", title: "Someone else changed a patched file" },

  // revert and verify
  OCP_REVERT_MISMATCH: { severity: error, exit: "conflict", title: "A restored file does not hash to its original" },
  OCP_NOT_PATCHED: { severity: errorOrWarning, exit: "failed", title: "The install is not patched" },
  OCP_UPGRADED: { severity: warning, exit: "failed", title: "The install was upgraded since it was patched" },
  OCP_VERIFY_FAILED: { severity: error, exit: "failed", title: "A patched file failed a check" },
  OCP_SYNTAX_CHECK_SKIPPED: { severity: warning, exit: "failed", title: "node --check was skipped: no Node at hand can parse the release" },
  OCP_SELF_TEST_FAILED: { severity: error, exit: "failed", title: "The injected runtime did not hold its bounds in the self-test" },
  OCP_SELF_TEST_KERNEL_ORPHAN: { severity: error, exit: "failed", title: "The self-test's sockets were kept by the kernel as orphans" },
  OCP_SELF_TEST_TABLE_UNREADABLE: { severity: error, exit: "failed", title: "The self-test could not read the TCP table" },
  OCP_LIVE_NO_GATEWAY: { severity: error, exit: "failed", title: "Nothing accepts connections on the gateway port" },
  OCP_LIVE_AUTH_FAILED: { severity: error, exit: "failed", title: "The live probe could not authenticate" },
  OCP_LIVE_PROBE_FAILED: { severity: error, exit: "failed", title: "The live probe could not reach a WebSocket" },
  OCP_LIVE_KERNEL_ORPHAN: { severity: error, exit: "failed", title: "The kernel kept the live probe's socket after the gateway let go" },
  OCP_LIVE_ENV_IGNORED: { severity: warning, exit: "failed", title: "A bound setting in the environment is not a number and was ignored" },

  // The file system
  OCP_PERMISSION: { severity: error, exit: "permission", title: "No permission to write a file" },
  OCP_FILE_BUSY: { severity: error, exit: "permission", title: "A file stayed locked by another program" },
  OCP_NO_SPACE: { severity: error, exit: "permission", title: "No space left on the file system" },
  OCP_FILESYSTEM: { severity: error, exit: "permission", title: "The file system refused an operation" },

  // status: the TCP table
  OCP_TCP_TABLE_UNSUPPORTED: { severity: error, exit: "failed", title: "No way to read the TCP table on this platform" },
  OCP_PROC_NET_UNREADABLE: { severity: error, exit: "failed", title: "/proc/net could not be read" },
  OCP_PROC_NET_PARTIAL: { severity: warning, exit: "failed", title: "Part of /proc/net could not be read" },
  OCP_NETSTAT_MISSING: { severity: error, exit: "failed", title: "netstat was not found" },
  OCP_NETSTAT_FAILED: { severity: errorOrWarning, exit: "failed", title: "netstat failed" },
  OCP_NETSTAT_UNREADABLE: { severity: error, exit: "failed", title: "netstat's output could not be read" },
  OCP_NETSTAT_PARTIAL: { severity: warning, exit: "failed", title: "netstat shows only part of the TCP table" },
  OCP_TCP_ROWS_SKIPPED: { severity: warning, exit: "failed", title: "Some rows of the TCP table could not be read" },
  OCP_TCP_STATE_UNKNOWN: { severity: warning, exit: "failed", title: "Some TCP states were not recognised" },

  // trace
  OCP_TRACE_MISSING: { severity: error, exit: "usage", title: "No trace file exists" },
  OCP_TRACE_UNREADABLE: { severity: error, exit: "usage", title: "The trace file could not be read" },
  OCP_METRICS_TEXTFILE_UNWRITABLE: { severity: error, exit: "usage", title: "The metrics file could not be written to the textfile folder" },
  OCP_REPORT_NO_EVENTS: { severity: error, exit: "usage", title: "The trace holds no events in the period, so there is nothing to chart" },
  OCP_REPORT_UNWRITABLE: { severity: error, exit: "usage", title: "The HTML report could not be written" },
  OCP_REPORT_PAGE_MISSING: { severity: error, exit: "internal", title: "The report page's script or style is missing from this install of openclaw-patch" },

  // hook
  OCP_HOOK_BAD_OPTION: { severity: error, exit: "usage", title: "A hook option has a bad value" },
  OCP_HOOK_MECHANISM_UNAVAILABLE: { severity: error, exit: "usage", title: "The requested hook mechanism cannot be used here" },
  OCP_HOOK_NO_SERVICE: { severity: error, exit: "usage", title: "No gateway service definition was found" },
  OCP_HOOK_SERVICE_NOT_FOUND: { severity: error, exit: "usage", title: "No gateway service matches --service or --profile" },
  OCP_HOOK_SERVICE_AMBIGUOUS: { severity: error, exit: "ambiguous", title: "Several gateway services were found" },
  OCP_HOOK_SERVICE_MISSING: { severity: error, exit: "usage", title: "The gateway service file disappeared" },
  OCP_HOOK_RECORD_CORRUPT: { severity: error, exit: "usage", title: "The hook record is not valid" },
  OCP_HOOK_RECORD_UNREADABLE: { severity: warning, exit: "failed", title: "The hook record could not be read" },
  OCP_HOOK_UNQUOTABLE: { severity: error, exit: "usage", title: "A path cannot be quoted for the hook's script" },
  OCP_HOOK_PLIST_BINARY: { severity: error, exit: "usage", title: "The LaunchAgent plist is in binary form" },
  OCP_HOOK_PLIST_UNRECOGNIZED: { severity: error, exit: "usage", title: "The LaunchAgent plist has no ProgramArguments" },
  OCP_HOOK_CMD_UNSUPPORTED: { severity: error, exit: "usage", title: "gateway.cmd is UTF-16 encoded" },
  OCP_HOOK_CMD_NON_ASCII: { severity: error, exit: "usage", title: "The re-patch line is not plain ASCII" },
  OCP_HOOK_CMD_UNRECOGNIZED: { severity: error, exit: "usage", title: "gateway.cmd has no command line to hook" },
  OCP_HOOK_ALREADY_PRESENT: { severity: error, exit: "conflict", title: "The service already runs the hook" },
  OCP_HOOK_FILE_CHANGED: { severity: error, exit: "conflict", title: "A file the hook wrote was edited since" },
  OCP_HOOK_CHANGED_MEANWHILE: { severity: error, exit: "failed", title: "Another run changed the hook meanwhile" },
  OCP_HOOK_ACTIVATION_FAILED: { severity: error, exit: "failed", title: "A service command of the hook install failed" },
  OCP_HOOK_UNREGISTER_FAILED: { severity: error, exit: "failed", title: "Unregistering the hook from the service failed" },
  OCP_HOOK_COMMAND_FAILED: { severity: errorOrWarning, exit: "failed", title: "A service command failed" },
  OCP_HOOK_SYSTEMCTL_MISSING: { severity: errorOrWarning, exit: "failed", title: "systemctl is not installed" },
  OCP_HOOK_SYSTEMD_NO_USER_BUS: { severity: errorOrWarning, exit: "failed", title: "The systemd user manager could not be reached" },
  OCP_HOOK_WRAPPER_MISSING: { severity: error, exit: "failed", title: "The hook's wrapper is missing" },
  OCP_HOOK_LOST: { severity: warning, exit: "failed", title: "The gateway service no longer runs the hook" },

  // The injected runtime, in the gateway
  OCP_RUNTIME_UNAVAILABLE: { severity: warning, exit: "failed", title: "The runtime could not be loaded; the gateway keeps its original behaviour", processWarning: true },
  OCP_RUNTIME_HOOK_FAILED: { severity: warning, exit: "failed", title: "A runtime hook failed and went inert", processWarning: true },
  OCP_RUNTIME_ENV_INVALID: { severity: warning, exit: "failed", title: "A runtime environment variable was invalid and ignored", processWarning: true },
  OCP_RUNTIME_TRACE_WRITE_FAILED: { severity: warning, exit: "failed", title: "The trace could not be written", processWarning: true },

  OCP_INTERNAL: { severity: error, exit: "internal", title: "A bug in openclaw-patch" },
} as const satisfies Record<`OCP_${string}`, CodeEntry>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** The codes that may be reported with severity S: `warning("OCP_LOCKED", …)` does not compile. */
export type CodeReportedAs<S extends Severity> = {
  [C in DiagnosticCode]: S extends (typeof DIAGNOSTIC_CODES)[C]["severity"][number] ? C : never;
}[DiagnosticCode];

export function isDiagnosticCode(code: string): code is DiagnosticCode {
  return Object.hasOwn(DIAGNOSTIC_CODES, code);
}
