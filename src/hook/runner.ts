import type { ProcessCommand } from "../core/run-process.js";

/** A command the hook runs or asks the operator to run; `display` is what the operator sees. */
export interface ShownCommand extends ProcessCommand {
  argv: string[];
  display: string;
  purpose: string;
  /** "warning": the hook works without it (e.g. daemon-reload with no user bus). */
  onFailure: "error" | "warning";
}
