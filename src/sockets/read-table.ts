import { diagnostic, warning, type Diagnostic } from "../core/diagnostics.js";
import { readSocketOwners, withOwners } from "./linux-owners.js";
import { readProcNetTcp } from "./linux-proc.js";
import { DARWIN_NETSTAT_ARGS, parseDarwinNetstat } from "./netstat-darwin.js";
import { parseWindowsNetstat, WINDOWS_NETSTAT_ARGS } from "./netstat-windows.js";
import type { ParsedTable } from "./parsed-table.js";
import { runProcess, type ProcessOutcome, type ProcessRunner } from "../core/run-process.js";
import type { TcpEntry } from "./types.js";

export interface TcpTableRead {
  entries: TcpEntry[];
  /** Where the rows came from, for the operator: files read or commands run. */
  source: string;
  diagnostics: Diagnostic[];
}

export interface TcpTableOptions {
  platform: NodeJS.Platform;
  run?: ProcessRunner;
  /** Linux only: where /proc is (tests point it at a fixture). */
  procRoot?: string;
  /** Linux only: look up owners only among these pids (e.g. the gateway's), which is much faster. */
  ownerPids?: readonly number[];
}

/** The one place that knows which platform reads its TCP table how. Never throws, never prints. */
export async function readTcpTable(options: TcpTableOptions): Promise<TcpTableRead> {
  const run = options.run ?? runProcess;
  switch (options.platform) {
    case "linux":
      return readLinuxTable(options);
    case "darwin":
      // Absolute path: GUI- or service-launched shells often lack /usr/sbin on PATH.
      return readNetstatTable(run, [{ command: "/usr/sbin/netstat", args: DARWIN_NETSTAT_ARGS, optional: false }], parseDarwinNetstat, options.platform);
    case "win32":
      return withListenerCheck(
        await readNetstatTable(
          run,
          WINDOWS_NETSTAT_ARGS.map((args, i) => ({ command: "netstat", args, optional: i > 0, family: i === 0 ? 4 : 6 })),
          parseWindowsNetstat,
          options.platform,
        ),
      );
    default:
      return {
        entries: [],
        source: "none",
        diagnostics: [
          diagnostic(
            "OCP_TCP_TABLE_UNSUPPORTED",
            `Reading the TCP table is not supported on ${options.platform}.`,
            "Run `netstat -an` by hand and look for the gateway port (18789 by default); Linux, macOS and Windows are supported.",
            { platform: options.platform },
          ),
        ],
      };
  }
}

function readLinuxTable(options: TcpTableOptions): TcpTableRead {
  const table = readProcNetTcp(options.procRoot === undefined ? {} : { procRoot: options.procRoot });
  const diagnostics: Diagnostic[] = [];
  if (table.filesRead.length === 0) {
    diagnostics.push(
      diagnostic(
        "OCP_PROC_NET_UNREADABLE",
        "Could not read the kernel TCP table under /proc/net.",
        "Check that /proc is mounted and readable (in a container, share the host's network namespace), or run `ss -tan` by hand.",
        { failures: table.failures },
      ),
    );
    return { entries: [], source: "/proc/net/tcp", diagnostics };
  }
  for (const failure of table.failures) {
    diagnostics.push(
      warning("OCP_PROC_NET_PARTIAL", `Could not read ${failure.path} (${failure.code}); its sockets are missing.`, "Check the permissions on /proc/net.", failure),
    );
  }
  diagnostics.push(...rowDiagnostics(table, table.filesRead.join(" + ")));
  const ownerOptions = {
    ...(options.procRoot === undefined ? {} : { procRoot: options.procRoot }),
    ...(options.ownerPids === undefined ? {} : { pids: options.ownerPids }),
  };
  const owners = readSocketOwners(ownerOptions);
  return { entries: withOwners(table.entries, owners.pidByInode), source: table.filesRead.join(" + "), diagnostics };
}

/** netstat on a busy Windows host can take seconds; a hung one must not hang the CLI. */
const NETSTAT_LIMITS = { timeoutMs: 20_000, maxOutputBytes: 64 * 1024 * 1024 };

interface NetstatRun {
  command: string;
  args: readonly string[];
  /** A failure of an optional run (Windows tcpv6 with IPv6 off) is a warning, not an error. */
  optional: boolean;
  /**
   * The address family the run asked for (`-p tcp` / `-p tcpv6`); rows of the other family are not
   * its answer. Wine's netstat ignores `-p` and prints the IPv4 rows for tcpv6 too: kept, every
   * row would be counted twice.
   */
  family?: 4 | 6;
}

async function readNetstatTable(
  run: ProcessRunner,
  runs: readonly NetstatRun[],
  parse: (text: string) => ParsedTable,
  platform: NodeJS.Platform,
): Promise<TcpTableRead> {
  const entries: TcpEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  const source = runs.map((r) => [r.command, ...r.args].join(" ")).join("; ");
  for (const { command, args, optional, family } of runs) {
    const commandLine = [command, ...args].join(" ");
    let result: ProcessOutcome;
    try {
      result = await run({ argv: [command, ...args] }, NETSTAT_LIMITS);
    } catch (error) {
      result = { code: null, stdout: "", stderr: String(error) };
    }
    if (result.startError === "ENOENT") {
      diagnostics.push(missingNetstat(command, platform));
      break; // the other runs would fail the same way
    }
    if (result.code !== 0) {
      const make = optional ? warning : diagnostic;
      diagnostics.push(
        make(
          "OCP_NETSTAT_FAILED",
          `\`${commandLine}\` failed (exit ${result.code ?? "none: killed or timed out"}).`,
          `Run \`${commandLine}\` by hand to see why.`,
          { command: commandLine, exitCode: result.code, stderr: result.stderr.slice(0, 500) },
        ),
      );
      continue;
    }
    const parsed = parse(result.stdout);
    entries.push(...(family === undefined ? parsed.entries : parsed.entries.filter((entry) => entry.family === family)));
    diagnostics.push(...rowDiagnostics(parsed, commandLine));
  }
  return { entries, source, diagnostics };
}

/** The warning that marks a table which shows only part of the sockets; see withListenerCheck. */
export const PARTIAL_TABLE_CODE = "OCP_NETSTAT_PARTIAL";

export function isPartialTable(table: Pick<TcpTableRead, "diagnostics">): boolean {
  return table.diagnostics.some((d) => d.code === PARTIAL_TABLE_CODE);
}

/**
 * Windows always has listening sockets (RPC on 135, SMB on 445, …), so `netstat -ano` with no LISTENING
 * row at all is not Windows' full table: Wine's netstat prints only ESTABLISHED, CLOSE_WAIT and
 * TIME_WAIT rows, IPv4 only, without the pid column. Such a table can say neither that nothing listens
 * nor that a closing socket (FIN_WAIT_1/2, LAST_ACK, CLOSING) is gone; say so rather than count on it.
 */
function withListenerCheck(table: TcpTableRead): TcpTableRead {
  if (table.diagnostics.some((d) => d.severity === "error")) return table;
  // A localized Windows translates LISTENING (ABHÖREN, …): its rows are UNKNOWN, not missing.
  if (table.entries.some((entry) => entry.state === "LISTEN" || entry.state === "UNKNOWN")) return table;
  const partial = warning(
    PARTIAL_TABLE_CODE,
    `\`${table.source}\` listed no listening socket at all, so it shows only part of the TCP table (Wine's netstat lists only ESTABLISHED, CLOSE_WAIT and TIME_WAIT): whether the gateway listens, and closing sockets (FIN_WAIT_1, FIN_WAIT_2, LAST_ACK), cannot be seen in it.`,
    "Run `netstat -ano` in a Windows Command Prompt, or `Get-NetTCPConnection -LocalPort <gateway port>` in PowerShell; under Wine, `ss -tan` on the host shows the whole table.",
    { source: table.source, rows: table.entries.length },
  );
  return { ...table, diagnostics: [...table.diagnostics, partial] };
}

function missingNetstat(command: string, platform: NodeJS.Platform): Diagnostic {
  const remedy =
    platform === "win32"
      ? "netstat.exe ships with Windows in %SystemRoot%\\System32; make sure that folder is on PATH."
      : "netstat ships with macOS as /usr/sbin/netstat; check that it exists and is executable.";
  return diagnostic("OCP_NETSTAT_MISSING", `\`${command}\` was not found, so the TCP table cannot be read.`, remedy, { command });
}

/** Rows a parser could not read, or states it did not know, make the counts untrustworthy: say so. */
function rowDiagnostics(parsed: ParsedTable, where: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  if (parsed.entries.length === 0 && parsed.rejectedLines > 0) {
    diagnostics.push(
      diagnostic(
        "OCP_NETSTAT_UNREADABLE",
        `None of the ${parsed.rejectedLines} TCP rows from ${where} could be read; the output format is not one we know.`,
        "Report the output of the command (with addresses masked) so the parser can learn it.",
        { source: where, rejectedLines: parsed.rejectedLines },
      ),
    );
  } else if (parsed.rejectedLines > 0) {
    diagnostics.push(
      warning(
        "OCP_TCP_ROWS_SKIPPED",
        `${parsed.rejectedLines} TCP rows from ${where} could not be read; counts may be low.`,
        "Report the unreadable rows (with addresses masked) so the parser can learn them.",
        { source: where, rejectedLines: parsed.rejectedLines },
      ),
    );
  }
  const unknownWords = [...new Set(parsed.entries.filter((e) => e.state === "UNKNOWN").map((e) => e.rawState ?? "?"))];
  if (unknownWords.length > 0) {
    diagnostics.push(
      warning(
        "OCP_TCP_STATE_UNKNOWN",
        `Some TCP states from ${where} are not recognised (${unknownWords.slice(0, 5).join(", ")}); they are counted as UNKNOWN.`,
        "A localized Windows translates state names; count them with PowerShell instead, whose names are not translated: `Get-NetTCPConnection -LocalPort <gateway port> | Group-Object State`.",
        { source: where, states: unknownWords },
      ),
    );
  }
  return diagnostics;
}
