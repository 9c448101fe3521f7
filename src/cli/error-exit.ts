import { DIAGNOSTIC_CODES, type DiagnosticCode } from "../core/diagnostic-codes.js";
import { EXIT, type ExitCode } from "./exit-codes.js";

/** The exit code a command ends with when `code` is its error: the catalogue's, for every command. */
export function exitCodeFor(code: DiagnosticCode | undefined): ExitCode {
  return code === undefined ? EXIT.failed : EXIT[DIAGNOSTIC_CODES[code].exit];
}
