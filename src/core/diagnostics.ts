/**
 * Every problem the tool reports is data: a stable code, a message and a remedy.
 * The core returns or throws these; only commands render them.
 */
import type { CodeReportedAs, DiagnosticCode, Severity } from "./diagnostic-codes.js";

export type { DiagnosticCode, Severity } from "./diagnostic-codes.js";

export interface Diagnostic {
  /** Stable identifier from the catalogue (diagnostic-codes.ts), e.g. "OCP_NOT_OPENCLAW". */
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  /** What the operator should do next, as a sentence or a command. */
  remedy: string;
  /** Machine-readable facts behind the message (paths, counts, versions). */
  details?: Record<string, unknown>;
}

export function diagnostic<S extends Severity = "error">(
  code: CodeReportedAs<S>,
  message: string,
  remedy: string,
  details?: Record<string, unknown>,
  severity: S = "error" as S,
): Diagnostic {
  return details === undefined
    ? { code, severity, message, remedy }
    : { code, severity, message, remedy, details };
}

export function warning(code: CodeReportedAs<"warning">, message: string, remedy: string, details?: Record<string, unknown>): Diagnostic {
  return diagnostic(code, message, remedy, details, "warning");
}

/** Thrown by the core when an operation cannot go on; carries its diagnostic. */
export class OcpError extends Error {
  readonly diagnostic: Diagnostic;
  readonly extra: Diagnostic[];

  constructor(d: Diagnostic, extra: Diagnostic[] = []) {
    super(`${d.code}: ${d.message}`);
    this.name = "OcpError";
    this.diagnostic = d;
    this.extra = extra;
  }
}

export function fail(code: CodeReportedAs<"error">, message: string, remedy: string, details?: Record<string, unknown>): never {
  throw new OcpError(diagnostic(code, message, remedy, details));
}

export function isOcpError(error: unknown): error is OcpError {
  return error instanceof OcpError;
}
