import type { ExitKind } from "../core/diagnostic-codes.js";

/** Documented exit codes; the README lists the same table. */
export const EXIT = {
  ok: 0,
  /** A check failed (verify, verify --live) or an operation finished with errors. */
  failed: 1,
  /** Bad command-line input or bad input files (not an OpenClaw package, corrupt manifest). */
  usage: 2,
  /** The release cannot be patched: anchors missing or ambiguous. Nothing was written. */
  unpatchable: 3,
  /** Files on disk differ from what the manifest recorded (edited by someone else). */
  conflict: 4,
  /** The install or the state folder cannot be written: permission (EACCES, EPERM, EROFS), no space, a file-system error. */
  permission: 5,
  /** Another openclaw-patch run holds the lock. */
  locked: 6,
  /** Several installs found; --dir is needed. */
  ambiguous: 7,
  /** A bug in openclaw-patch. */
  internal: 70,
} as const satisfies Record<ExitKind | "ok", number>;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Commands throw this instead of calling process.exit; cli.ts turns it into the exit code. */
export class ExitError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message = `exit ${exitCode}`,
  ) {
    super(message);
    this.name = "ExitError";
  }
}
