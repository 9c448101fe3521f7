import { diagnostic, OcpError, type Diagnostic } from "../../core/diagnostics.js";
import { currentHost } from "../../core/host.js";
import { checkStateDir, resolveStateDir } from "../../core/state-dir.js";
import { openInstall, type InstallHandle } from "../../core/open-install.js";
import { locateDir } from "../../locate/locate-dir.js";
import { parseOptions } from "./option-schema.js";
import { TARGET_OPTIONS } from "./option-tables.js";

export interface TargetOptions {
  dir?: string;
  stateDir?: string;
}

export interface Target {
  install: InstallHandle;
  stateDir: string;
  foundBy: string[];
  diagnostics: Diagnostic[];
}


/**
 * The install a command works on: --dir when given (no processes spawned: the upgrade hook takes this
 * path before every gateway start), else auto-detection, which must find exactly one.
 */
export async function resolveTarget(options: TargetOptions): Promise<Target> {
  const { dir, stateDir: given } = parseOptions(TARGET_OPTIONS, options);
  const stateDir = given ?? resolveStateDir(currentHost());
  await checkStateDir(stateDir);
  if (dir !== undefined) {
    const { install, diagnostics } = await locateDir(dir);
    return { install: await openInstall(install.realRoot, stateDir), stateDir, foundBy: install.foundBy, diagnostics };
  }
  const { findInstalls } = await import("../../locate/find-installs.js");
  const { installs, diagnostics } = await findInstalls();
  if (installs.length === 0) {
    throw new OcpError(
      diagnostic("OCP_NO_INSTALL", "no OpenClaw install found (PATH, npm, pnpm, bun, ~/.openclaw/tools, service definitions)", "pass --dir with the folder of the installed openclaw package, or install it: npm i -g openclaw", { probes: diagnostics.map((d) => d.message) }),
    );
  }
  if (installs.length > 1) {
    const list = installs.map((i) => `${i.root} (${i.version ?? "unknown version"}; found by ${i.foundBy.join(", ")})`);
    throw new OcpError(
      diagnostic("OCP_SEVERAL_INSTALLS", `found ${installs.length} OpenClaw installs:\n    ${list.join("\n    ")}`, "choose one with --dir PATH (the one your gateway service runs is marked by systemd:/launchd:/schtasks:)", { installs }),
    );
  }
  const only = installs[0]!;
  return { install: await openInstall(only.realRoot, stateDir), stateDir, foundBy: only.foundBy, diagnostics };
}
