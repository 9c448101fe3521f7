import fs from "node:fs/promises";
import path from "node:path";
import { withInstallLock } from "../core/lock.js";
import { writeFileDurably } from "../core/fs-safe.js";
import { isOcpError, type Diagnostic } from "../core/diagnostics.js";
import { TOOL_VERSION } from "../core/tool-version.js";
import { isUpToDate } from "../core/up-to-date.js";
import type { ApplyResult } from "../core/apply.js";
import type { CommandIO } from "../cli/io.js";
import { printJson, renderDiagnostic } from "../cli/io.js";
import { ExitError } from "../cli/exit-codes.js";
import { exitCodeFor } from "../cli/error-exit.js";
import { resolveTarget, type Target, type TargetOptions } from "./shared/target.js";
import type { RuntimeConfig } from "../runtime/contract.js";
import type { FixReport } from "../core/fixes.js";
import { resolveConfig, saveConfig } from "./shared/config.js";
import { parseOptions, type RawOptions } from "./shared/option-schema.js";
import { APPLY_OPTIONS } from "./shared/option-tables.js";
import { renderDiagnostics, renderFixes, windowText } from "./shared/render.js";
import { RUNTIME_FILE } from "../core/preamble.js";

export type ApplyCommandOptions = TargetOptions & RawOptions<typeof APPLY_OPTIONS>;

const PATCH_IDS_MODULE = "../../patches/index.js";

export async function applyCommand(options: ApplyCommandOptions, io: CommandIO): Promise<void> {
  if (options.ifNeeded) return applyIfNeeded(options, io);
  const values = parseOptions(APPLY_OPTIONS, options);
  const target = await resolveTarget(options);
  const { config, changed } = await resolveConfig(target.install.installDir, values);
  const result = await withInstallLock(target.stateDir, target.install.realRoot, "apply", { waitMs: values.wait ?? 0 }, async () => {
    const applied = await applyUnlessUpToDate(target, config, { dryRun: options.dryRun === true, force: options.force === true });
    if (changed && !options.dryRun && applied.outcome !== "refused") await saveConfig(target.install.installDir, config);
    return applied;
  });
  const diagnostics = [...target.diagnostics.filter((d) => d.severity !== "info"), ...result.diagnostics];
  if (io.json) printJson(io, applyJson(target.install.realRoot, target.install.version, result, diagnostics));
  else renderApply(io, target.install.realRoot, target.install.version, result, diagnostics);
  if (result.outcome === "refused") throw new ExitError(exitCodeFor(diagnostics.find((d) => d.severity === "error")?.code));
}

/** The no-change check first (no parser loaded), then the engine; the caller holds the lock. */
async function applyUnlessUpToDate(target: Target, config: RuntimeConfig, mode: { dryRun: boolean; force: boolean }): Promise<ApplyResult> {
  const { PATCHES } = (await import(PATCH_IDS_MODULE)) as typeof import("../../patches/index.js");
  if (!mode.dryRun && (await isUpToDate(target.install, { toolVersion: TOOL_VERSION, patchIds: PATCHES.map((p) => p.id), config }))) {
    return { outcome: "unchanged", stateBefore: "patched", changedFiles: [], diagnostics: [], leftByRelease: [] };
  }
  const { applyPatches } = await import("../core/apply.js");
  const { SITES } = await import("../sites/index.js");
  return applyPatches(target.install, { toolVersion: TOOL_VERSION, patches: PATCHES, sites: SITES, config, ...mode, retryCommand: `openclaw-patch apply --dir ${target.install.realRoot}` });
}

/** A dry run or a refused run applied nothing: say what would be applied instead. */
function fixesAsPlanned(r: ApplyResult): FixReport[] {
  const fixes = r.plan?.fixes ?? [];
  if (r.outcome !== "dry-run" && r.outcome !== "refused") return fixes;
  return fixes.map((f) => (f.state === "applied" ? { ...f, state: "would-apply" } : f));
}

function applyJson(root: string, version: string, r: ApplyResult, diagnostics: Diagnostic[]) {
  return {
    command: "apply",
    root,
    version,
    outcome: r.outcome,
    stateBefore: r.stateBefore,
    leftByRelease: r.leftByRelease,
    recovery: r.recovery ?? null,
    fixes: fixesAsPlanned(r),
    patches: r.plan?.patches ?? [],
    sites: (r.match?.results ?? []).map((s) => ({
      site: s.site,
      expected: s.expected.count,
      found: s.matches.length,
      at: s.matches.map((m) => `${m.file}:${m.line}:${m.column}`),
      nearestMisses: s.matches.length === s.expected.count ? [] : s.nearMisses.slice(0, 3).map((m) => ({ at: `${m.file}:${m.line}:${m.column}`, failed: m.checks.filter((c) => !c.ok).map((c) => c.name) })),
    })),
    edits: (r.plan?.files ?? []).flatMap((f) =>
      f.edits.map((e) => {
        const code = f.before.toString("utf8");
        const before = code.slice(Math.max(0, e.offset - 60), e.offset);
        const after = code.slice(e.offset, e.offset + 60);
        return { file: e.file, line: e.line, column: e.column, offset: e.offset, patch: e.patch, site: e.site, original: before + after, patched: before + e.inserted + after };
      }),
    ),
    changedFiles: r.changedFiles,
    diagnostics,
  };
}

function renderApply(io: CommandIO, root: string, version: string, r: ApplyResult, diagnostics: Diagnostic[]): void {
  io.out(`openclaw-patch ${r.outcome === "dry-run" ? "apply --dry-run" : "apply"}: ${root} (OpenClaw ${version})`);
  if (r.recovery) io.out(`  an interrupted ${r.recovery.op} was ${r.recovery.outcome === "completed" ? "completed" : "rolled back"}${r.recovery.restored.length ? ` (${r.recovery.restored.join(", ")})` : ""}`);
  io.out(`  state before: ${r.stateBefore}`);
  if (r.leftByRelease.length > 0) io.out(`  left by the previous release, patched, no longer its code: ${r.leftByRelease.join(", ")}`);
  if (r.outcome === "unchanged") io.out("  already patched with this version and settings: nothing to do");
  if (r.plan) {
    io.out("  fixes:");
    for (const line of renderFixes(fixesAsPlanned(r))) io.out(line);
  }
  if (r.outcome === "dry-run" && r.plan) {
    for (const f of r.plan.files) {
      io.out(`  ${f.path}: ${f.edits.length} edit(s) by ${f.patches.join(", ")}`);
      const code = f.before.toString("utf8");
      for (const e of f.edits) {
        const before = code.slice(Math.max(0, e.offset - 50), e.offset);
        const after = code.slice(e.offset, e.offset + 30);
        io.out(`    @ ${e.line}:${e.column} [${e.patch} → ${e.site}]`);
        io.out(`      - …${windowText(before + after)}…`);
        io.out(`      + …${windowText(before)}⟦${windowText(e.inserted)}⟧${windowText(after)}…`);
      }
    }
    io.out("  dry run: nothing was written");
  }
  if (r.outcome === "applied" || r.outcome === "reapplied") {
    io.out(`  wrote ${r.changedFiles.length} file(s):`);
    for (const rel of r.changedFiles) {
      const planned = r.plan?.files.find((f) => f.path === rel);
      if (!planned) {
        io.out(`    ${rel}: ${rel === RUNTIME_FILE ? "added (the runtime the patched code calls)" : "restored to its original"}`);
        continue;
      }
      const perPatch = new Map<string, number>();
      for (const e of planned.edits) perPatch.set(e.patch, (perPatch.get(e.patch) ?? 0) + 1);
      const summary = [...perPatch].map(([id, n]) => (n > 1 ? `${id} ×${n}` : id)).join(", ");
      io.out(`    ${rel}: ${planned.before.length.toLocaleString("en")} → ${planned.after.length.toLocaleString("en")} bytes, ${planned.edits.length} insertion(s): ${summary}`);
    }
    io.out("  originals are backed up; `openclaw-patch apply --dry-run` shows each edit, `openclaw-patch revert` undoes them");
    io.out("  restart the gateway to load the patched code (openclaw gateway restart, or restart its service)");
  }
  if (r.outcome === "refused") io.out("  nothing was written");
  renderDiagnostics(io, diagnostics);
}

/**
 * The upgrade hook's entry: patch if something changed, and never keep the gateway from starting.
 * Any failure becomes one warning on stderr and a note in the install's record; exit code stays 0.
 */
async function applyIfNeeded(options: ApplyCommandOptions, io: CommandIO): Promise<void> {
  let note: { at: string; outcome: string; diagnostic?: Diagnostic } = { at: new Date().toISOString(), outcome: "unchanged" };
  let installDir: string | undefined;
  try {
    // Below the hooks' own watchdogs (20 s under systemd), so a run that cannot get the lock gives up
    // and records why, instead of being killed; an apply holds the lock for a second or two.
    const values = parseOptions(APPLY_OPTIONS, options);
    const waitMs = values.wait ?? 15_000;
    const target = await resolveTarget(options);
    installDir = target.install.installDir;
    const { config } = await resolveConfig(installDir, values);
    const outcome = await withInstallLock(target.stateDir, target.install.realRoot, "apply --if-needed", { waitMs }, () => applyUnlessUpToDate(target, config, { dryRun: false, force: false }));
    const failure = outcome.diagnostics.find((d) => d.severity === "error");
    note = failure ? { at: note.at, outcome: "failed", diagnostic: failure } : { at: note.at, outcome: outcome.outcome };
    if (failure) io.err(`openclaw-patch: warning: OpenClaw ${target.install.version} could not be patched; the gateway starts unpatched. ${renderDiagnostic(failure)}`);
    else if (outcome.outcome !== "unchanged") io.err(`openclaw-patch: patched OpenClaw ${target.install.version} (${outcome.outcome})`);
  } catch (error) {
    const d: Diagnostic = isOcpError(error) ? error.diagnostic : { code: "OCP_INTERNAL", severity: "error", message: String((error as Error)?.stack ?? error), remedy: "report this bug" };
    note = { at: note.at, outcome: "failed", diagnostic: d };
    io.err(`openclaw-patch: warning: the re-patch did not run; the gateway starts unpatched. ${renderDiagnostic(d)}`);
  }
  if (installDir) await writeFileDurably(path.join(installDir, "last-hook.json"), JSON.stringify(note, null, 2), { mode: 0o600 }).catch(() => undefined);
  // Only an OpenClaw install has a gateway whose trace this line belongs in: a wrong --dir (not
  // OpenClaw, missing) must leave ~/.openclaw alone, as it leaves the state folder alone.
  if (installDir && note.outcome !== "unchanged") await recordInTrace(note);
  if (io.json) printJson(io, { command: "apply --if-needed", ...note });
}

/** The re-patch leaves a line in the gateway's trace too, so `openclaw-patch trace` shows why a start ran unpatched. */
async function recordInTrace(note: { outcome: string; diagnostic?: Diagnostic }): Promise<void> {
  try {
    const { appendTraceEvent } = await import("../trace/append-event.js");
    appendTraceEvent(
      note.diagnostic
        ? { ev: "repatch-failed", code: note.diagnostic.code, message: note.diagnostic.message }
        : { ev: "repatched", outcome: note.outcome },
    );
  } catch {
    // Tracing is a courtesy here; the warning on stderr and last-hook.json already carry the news.
  }
}
