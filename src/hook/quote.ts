import { fail } from "../core/diagnostics.js";

/**
 * Quoting for the four languages the hook writes into. Each refuses line breaks: a newline inside a
 * service definition would start a new directive or command, which no quoting can prevent.
 */

const SH_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A POSIX sh word that expands to exactly `value`. */
export function shQuote(value: string): string {
  rejectLineBreaks(value, "sh");
  if (value !== "" && SH_SAFE.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * A cmd.exe batch-file argument. Windows paths cannot contain `"`, and a `"` could not be escaped
 * inside a quoted argument anyway, so it is refused. `%` is doubled because batch files expand
 * `%NAME%` even inside quotes.
 */
export function cmdQuote(value: string): string {
  rejectLineBreaks(value, "cmd");
  if (value.includes('"')) {
    fail("OCP_HOOK_UNQUOTABLE", `cannot quote ${JSON.stringify(value)} for a Windows batch file`, "use paths without double quotes");
  }
  return `"${value.replaceAll("%", "%%")}"`;
}

/** A batch-file argument: options stay bare and readable, anything path-like is quoted. */
export function cmdArg(value: string): string {
  return /^[A-Za-z0-9_.=-]+$/.test(value) ? value : cmdQuote(value);
}

/** The value part of `set "NAME=value"` in a batch file. */
export function cmdSetValue(value: string): string {
  rejectLineBreaks(value, "cmd");
  if (value.includes('"')) {
    fail("OCP_HOOK_UNQUOTABLE", `cannot store ${JSON.stringify(value)} in a Windows batch file`, "use paths without double quotes");
  }
  return value.replaceAll("%", "%%");
}

const SYSTEMD_SAFE = /^[A-Za-z0-9_@+=:,./-]+$/;

/**
 * One argument of a systemd Exec*= line. systemd expands `%` specifiers and `$VAR` in these lines,
 * so both are doubled; quotes and backslashes use C-style escapes inside double quotes.
 */
export function systemdQuote(value: string): string {
  rejectLineBreaks(value, "systemd");
  if (value !== "" && SYSTEMD_SAFE.test(value)) return value;
  const escaped = value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("%", "%%").replaceAll("$", "$$$$");
  return `"${escaped}"`;
}

/** Text content of an XML element (plist `<string>`): only `&`, `<` and `>` need escaping there. */
export function xmlText(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

export function xmlUnescape(value: string): string {
  return value
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");
}

function rejectLineBreaks(value: string, language: string): void {
  if (/[\r\n\0]/.test(value)) {
    fail(
      "OCP_HOOK_UNQUOTABLE",
      `cannot put ${JSON.stringify(value)} into a ${language} line: it contains a line break or NUL`,
      "use paths without line breaks",
    );
  }
}
