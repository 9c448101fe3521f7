import { withInstallLock } from "../core/lock.js";
import { revertPatches } from "../core/revert.js";
import type { CommandIO } from "../cli/io.js";
import { printJson } from "../cli/io.js";
import { resolveTarget, type TargetOptions } from "./shared/target.js";
import { renderDiagnostics } from "./shared/render.js";
import { parseOptions, type RawOptions } from "./shared/option-schema.js";
import { REVERT_OPTIONS } from "./shared/option-tables.js";

export type RevertCommandOptions = TargetOptions & RawOptions<typeof REVERT_OPTIONS>;

export async function revertCommand(options: RevertCommandOptions, io: CommandIO): Promise<void> {
  const waitMs = parseOptions(REVERT_OPTIONS, options).wait ?? 0;
  const target = await resolveTarget(options);
  const result = await withInstallLock(target.stateDir, target.install.realRoot, "revert", { waitMs }, () =>
    revertPatches(target.install, { force: options.force === true, forget: options.forget === true, retryCommand: `openclaw-patch revert --dir ${target.install.realRoot}` }),
  );
  if (io.json) {
    printJson(io, { command: "revert", root: target.install.realRoot, version: target.install.version, ...result });
    return;
  }
  io.out(`openclaw-patch revert: ${target.install.realRoot} (OpenClaw ${target.install.version})`);
  if (result.recovery) io.out(`  an interrupted ${result.recovery.op} was ${result.recovery.outcome === "completed" ? "completed" : "rolled back"}`);
  io.out(`  state before: ${result.stateBefore}`);
  if (result.outcome === "reverted") {
    io.out(`  restored ${result.restoredFiles.length} file(s) byte for byte (sha256 checked): ${result.restoredFiles.join(", ") || "none"}`);
    if (result.removedFiles.length) io.out(`  removed ${result.removedFiles.join(", ")}`);
    io.out("  restart the gateway to load the original code");
  } else if (result.outcome === "forgotten") io.out("  the install record was dropped; no file was touched");
  else io.out("  nothing to revert");
  renderDiagnostics(io, result.diagnostics);
}
