import { EXIT, type ExitCode } from "./exit-codes.js";

/** Which exit code each stable diagnostic code maps to; the README documents the table. */
const EXIT_BY_CODE: Record<string, ExitCode> = {
  OCP_NOT_OPENCLAW: EXIT.usage,
  OCP_NO_INSTALL: EXIT.usage,
  OCP_BAD_OPTION: EXIT.usage,
  OCP_MANIFEST_CORRUPT: EXIT.usage,
  OCP_MANIFEST_UNSAFE: EXIT.usage,
  OCP_JOURNAL_CORRUPT: EXIT.usage,
  OCP_JOURNAL_UNSAFE: EXIT.usage,
  OCP_STATE_DIR_UNUSABLE: EXIT.usage,
  OCP_BACKUP_MISSING: EXIT.usage,
  OCP_BACKUP_CORRUPT: EXIT.usage,
  OCP_TRACE_MISSING: EXIT.usage,
  OCP_TRACE_UNREADABLE: EXIT.usage,
  OCP_SITE_NOT_FOUND: EXIT.unpatchable,
  OCP_SITE_AMBIGUOUS: EXIT.unpatchable,
  OCP_PATCH_BREAKS_SYNTAX: EXIT.unpatchable,
  OCP_ALREADY_INJECTED: EXIT.unpatchable,
  OCP_RUNTIME_PATH_TAKEN: EXIT.unpatchable,
  OCP_BUNDLE_UNPARSABLE: EXIT.unpatchable,
  OCP_PACKAGE_SYMLINK: EXIT.unpatchable,
  OCP_TARGET_CHANGED: EXIT.conflict,
  OCP_REVERT_MISMATCH: EXIT.conflict,
  OCP_PERMISSION: EXIT.permission,
  OCP_FILE_BUSY: EXIT.permission,
  OCP_NO_SPACE: EXIT.permission,
  OCP_FILESYSTEM: EXIT.permission,
  OCP_LOCKED: EXIT.locked,
  OCP_SEVERAL_INSTALLS: EXIT.ambiguous,
  OCP_VERIFY_FAILED: EXIT.failed,
  OCP_NOT_PATCHED: EXIT.failed,
};

export function exitCodeFor(code: string): ExitCode {
  return EXIT_BY_CODE[code] ?? EXIT.failed;
}
