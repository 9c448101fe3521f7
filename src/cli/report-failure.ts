import { diagnostic, isOcpError, OcpError } from "../core/diagnostics.js";
import { filesystemFailure } from "../core/filesystem-failure.js";
import { exitCodeFor } from "./error-exit.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { printJson, renderDiagnostic, type CommandIO } from "./io.js";

const INTERNAL_REMEDY = "this is a bug in openclaw-patch; please report it with this output";

/**
 * A thrown failure as a coded error: an OcpError as it is, a file-system error of the machine's
 * (permission, space, limits) with its code and remedy; undefined for anything else, which is a bug.
 */
export function codedFailure(error: unknown): OcpError | undefined {
  return isOcpError(error) ? error : (permissionFailure(error) ?? filesystemFailure(error));
}

/**
 * The one place a failed command's error becomes output and an exit code. --json prints
 * `{ command?, error, diagnostics }` on stdout; text prints each diagnostic on stderr.
 */
export function reportFailure(io: CommandIO, error: unknown, command?: string): ExitCode {
  const coded = codedFailure(error);
  if (coded === undefined) {
    const message = (error as Error)?.stack ?? String(error);
    if (io.json) printJson(io, { ...(command === undefined ? {} : { command }), error: { code: "OCP_INTERNAL", severity: "error", message, remedy: INTERNAL_REMEDY } });
    else io.err(`internal error: ${message}\n  remedy: ${INTERNAL_REMEDY}`);
    return EXIT.internal;
  }
  const all = [coded.diagnostic, ...coded.extra];
  if (io.json) printJson(io, { ...(command === undefined ? {} : { command }), error: coded.diagnostic, diagnostics: all });
  else for (const d of all) io.err(renderDiagnostic(d));
  return exitCodeFor(coded.diagnostic.code);
}

function permissionFailure(error: unknown): OcpError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== "EACCES" && code !== "EPERM" && code !== "EROFS") return undefined;
  const file = (error as NodeJS.ErrnoException).path ?? "a file";
  return new OcpError(
    diagnostic("OCP_PERMISSION", `cannot write ${file} (${code})`, "run as the user who owns the gateway service and its files (not with sudo), or fix the file's permissions", {
      path: file,
      errno: code,
    }),
  );
}
