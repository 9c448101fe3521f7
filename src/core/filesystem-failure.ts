import { OcpError, diagnostic } from "./diagnostics.js";

/**
 * Errors the file system gives for reasons that are the machine's, not a bug of ours. Each gets a
 * code and a remedy, so a full disk reads as a full disk and not as "a bug in openclaw-patch".
 * Permission errors have their own mapping where the install is written (fs-safe.ts), with the
 * command to run instead.
 */
const NO_SPACE = new Set(["ENOSPC", "EDQUOT"]);
const MACHINE_LIMITS = new Set(["EIO", "EMFILE", "ENFILE", "ENAMETOOLONG", "ELOOP", "ENOTDIR", "EISDIR", "EXDEV"]);

export function filesystemFailure(error: unknown): OcpError | undefined {
  const errno = error as NodeJS.ErrnoException | undefined;
  const code = errno?.code;
  if (typeof code !== "string") return undefined;
  const where = typeof errno?.path === "string" ? errno.path : "a file";
  if (NO_SPACE.has(code)) {
    return new OcpError(
      diagnostic(
        "OCP_NO_SPACE",
        `no space left to write ${where} (${code})`,
        "free space on that file system (the patch needs a few MB in the package for new files beside the old, and as much in the state folder for backups), then run the same command again; a run that fails this way is rolled back, or completed by the next run",
        { file: where, errno: code },
      ),
    );
  }
  if (MACHINE_LIMITS.has(code)) {
    return new OcpError(
      diagnostic(
        "OCP_FILESYSTEM",
        `the file system refused ${where} (${code}: ${errno?.message ?? ""})`,
        "check that path (a file where a folder should be, a link loop, a path too long, too many open files, a failing disk), then run the same command again",
        { file: where, errno: code },
      ),
    );
  }
  return undefined;
}
