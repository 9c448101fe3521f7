import fs from "node:fs/promises";
import path from "node:path";
import { fail } from "./diagnostics.js";

/**
 * A package whose dist/ is a link to another folder would be patched in that other folder, which may
 * be shared or belong to something else. Refused like a linked bundle: the operator reinstalls plainly.
 */
export async function assertPlainPackage(realRoot: string): Promise<void> {
  const dist = path.join(realRoot, "dist");
  const st = await fs.lstat(dist).catch(() => undefined);
  if (st?.isSymbolicLink()) {
    const target = await fs.readlink(dist).catch(() => "?");
    fail(
      "OCP_PACKAGE_SYMLINK",
      `${dist} is a symbolic link (to ${target}); openclaw-patch patches only files that live inside the package`,
      "reinstall OpenClaw so that dist/ is a plain folder (npm i -g openclaw@<version>), or pass --dir with the package the link points into",
      { dist, target },
    );
  }
}
