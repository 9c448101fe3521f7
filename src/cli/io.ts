import type { Diagnostic } from "../core/diagnostics.js";

/** All output of a command goes through this, so tests can capture it and --json stays clean. */
export interface CommandIO {
  json: boolean;
  out(text: string): void;
  err(text: string): void;
}

export function processIO(json: boolean): CommandIO {
  return {
    json,
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  };
}

export function renderDiagnostic(d: Diagnostic): string {
  const tag = d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "note";
  return `${tag} ${d.code}: ${d.message}\n  remedy: ${d.remedy}`;
}

export function printJson(io: CommandIO, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
