/**
 * Every problem the tool reports is data: a stable code, a message and a remedy.
 * The core returns or throws these; only commands render them.
 */
export type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  /** Stable identifier, e.g. "OCP_NOT_OPENCLAW". Never reworded once published. */
  code: string;
  severity: Severity;
  message: string;
  /** What the operator should do next, as a sentence or a command. */
  remedy: string;
  /** Machine-readable facts behind the message (paths, counts, versions). */
  details?: Record<string, unknown>;
}

export function diagnostic(
  code: string,
  message: string,
  remedy: string,
  details?: Record<string, unknown>,
  severity: Severity = "error",
): Diagnostic {
  return details === undefined
    ? { code, severity, message, remedy }
    : { code, severity, message, remedy, details };
}

export function warning(code: string, message: string, remedy: string, details?: Record<string, unknown>): Diagnostic {
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

export function fail(code: string, message: string, remedy: string, details?: Record<string, unknown>): never {
  throw new OcpError(diagnostic(code, message, remedy, details));
}

export function isOcpError(error: unknown): error is OcpError {
  return error instanceof OcpError;
}
