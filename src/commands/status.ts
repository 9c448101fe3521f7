import { readManifest } from "../core/manifest.js";
import { inspectFiles } from "../core/install-state.js";
import fs from "node:fs/promises";
import path from "node:path";
import type { CommandIO } from "../cli/io.js";
import { printJson } from "../cli/io.js";
import { resolveTarget, type TargetOptions } from "./shared/target.js";
import { renderDiagnostics, renderFixes } from "./shared/render.js";

export interface StatusCommandOptions extends TargetOptions {}

export async function statusCommand(options: StatusCommandOptions, io: CommandIO): Promise<void> {
  const target = await resolveTarget(options);
  const { install } = target;
  const manifest = await readManifest(install.installDir, install.realRoot);
  const inspected = await inspectFiles(install, manifest, false);
  const lastHook = await fs.readFile(path.join(install.installDir, "last-hook.json"), "utf8").then((t) => JSON.parse(t) as Record<string, unknown>, () => null);
  const fixes = manifest && inspected.state === "patched" ? manifest.fixes : [];
  const data = {
    command: "status",
    root: install.realRoot,
    version: install.version,
    foundBy: target.foundBy,
    state: inspected.state,
    patchedRelease: manifest?.release.version ?? null,
    patchedBy: manifest?.toolVersion ?? null,
    config: manifest?.config ?? null,
    fixes,
    files: inspected.files,
    lastHook,
  };
  if (io.json) {
    printJson(io, data);
    return;
  }
  io.out(`openclaw-patch status: ${install.realRoot}`);
  io.out(`  OpenClaw ${install.version}; found by ${target.foundBy.join(", ")}`);
  io.out(`  state: ${inspected.state}${manifest && inspected.state === "upgraded" ? ` (patched ${manifest.release.version}, now ${install.version}: run openclaw-patch apply)` : ""}`);
  if (fixes.length) {
    io.out("  fixes:");
    for (const line of renderFixes(fixes)) io.out(line);
  }
  if (lastHook) io.out(`  last re-patch hook run: ${String(lastHook.at)} ${String(lastHook.outcome)}${lastHook.diagnostic ? `: ${(lastHook.diagnostic as { message: string }).message}` : ""}`);
  renderDiagnostics(io, target.diagnostics.filter((d) => d.severity !== "info"));
}
