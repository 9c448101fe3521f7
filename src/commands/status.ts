import { readManifest } from "../core/manifest.js";
import { inspectFiles } from "../core/install-state.js";
import { installFile } from "../core/state-layout.js";
import { currentHost, type Host } from "../core/host.js";
import fs from "node:fs/promises";
import type { CommandIO } from "../cli/io.js";
import { printJson } from "../cli/io.js";
import type { ProcessRunner } from "../core/run-process.js";
import { gatewayFacts } from "../status/gateway-facts.js";
import { renderSocketReport } from "../status/render-sockets.js";
import { fixStatusOf, readGatewaySockets, type GatewaySocketReport } from "../status/socket-report.js";
import { watchPlan, type WatchPlan } from "../status/watch-options.js";
import { resolveTarget, type TargetOptions } from "./shared/target.js";
import { renderDiagnostics, renderFixes, renderSettings } from "./shared/render.js";
import { parseOptions, type RawOptions } from "./shared/option-schema.js";
import { STATUS_OPTIONS } from "./shared/option-tables.js";

export type StatusCommandOptions = TargetOptions & RawOptions<typeof STATUS_OPTIONS>;

/** What the command reads from its surroundings; tests pass their own. */
export interface StatusContext extends Host {
  isTty: boolean;
  /** Calls `listener` on Ctrl-C while watching; returns the function that stops listening. */
  onInterrupt(listener: () => void): () => void;
  run?: ProcessRunner;
  procRoot?: string;
}

export function processStatusContext(): StatusContext {
  return {
    ...currentHost(),
    isTty: Boolean(process.stdout.isTTY),
    onInterrupt: (listener) => {
      process.once("SIGINT", listener);
      return () => process.off("SIGINT", listener);
    },
  };
}

const CLEAR_SCREEN = "\x1b[2J\x1b[H";

export async function statusCommand(options: StatusCommandOptions, io: CommandIO, context: StatusContext = processStatusContext()): Promise<void> {
  const { port } = parseOptions(STATUS_OPTIONS, options);
  const watch = watchPlan(options.watch, options.watchCount);
  const target = await resolveTarget(options);
  const { install } = target;
  const manifest = await readManifest(install.installDir, install.realRoot);
  const inspected = await inspectFiles(install, manifest, false);
  const lastHook = await fs.readFile(installFile(install.installDir, "lastHook"), "utf8").then((t) => JSON.parse(t) as Record<string, unknown>, () => null);
  const fixes = manifest && inspected.state === "patched" ? manifest.fixes : [];
  const facts = await gatewayFacts({
    realRoot: install.realRoot,
    stateDir: target.stateDir,
    foundBy: target.foundBy,
    ...(port === undefined ? {} : { portOption: port }),
    env: context.env,
    homedir: context.homedir,
  });
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
    leftByRelease: inspected.leftByRelease,
    lastHook,
    gateway: {
      port: facts.port.port,
      portSource: facts.port.source,
      portFrom: facts.port.from,
      service: facts.service ? { kind: facts.service.kind, file: facts.service.file, foundBy: facts.service.foundBy, nodeBinary: facts.service.nodeBinary ?? null } : null,
    },
  };
  const readSockets = () =>
    readGatewaySockets({
      port: facts.port.port,
      fixApplied: fixStatusOf(inspected.state),
      platform: context.platform,
      ...(context.run === undefined ? {} : { run: context.run }),
      ...(context.procRoot === undefined ? {} : { procRoot: context.procRoot }),
    });
  const standingDiagnostics = [...target.diagnostics.filter((d) => d.severity !== "info"), ...facts.diagnostics];

  const printFrame = (sockets: GatewaySocketReport, frame?: number): void => {
    if (io.json) {
      const document = { ...data, sockets, diagnostics: [...standingDiagnostics, ...sockets.diagnostics] };
      // Watch frames are JSON Lines: one document per line, so a reader can parse them as they come.
      if (frame === undefined) printJson(io, document);
      else io.out(JSON.stringify({ frame, ...document }));
      return;
    }
    if (frame !== undefined && context.isTty) io.out(CLEAR_SCREEN);
    io.out(`openclaw-patch status: ${install.realRoot}`);
    io.out(`  OpenClaw ${install.version}; found by ${target.foundBy.join(", ")}`);
    io.out(`  state: ${inspected.state}${manifest && inspected.state === "upgraded" ? ` (patched ${manifest.release.version}, now ${install.version}: run openclaw-patch apply)` : ""}`);
    if (inspected.leftByRelease.length > 0) io.out(`  left by ${manifest?.release.version ?? "the previous release"}, still patched but no longer the release's code: ${inspected.leftByRelease.join(", ")}`);
    if (fixes.length) {
      io.out("  fixes:");
      for (const line of renderFixes(fixes)) io.out(line);
    }
    if (manifest && inspected.state === "patched") for (const line of renderSettings(manifest.config)) io.out(line);
    if (lastHook) io.out(`  last re-patch hook run: ${String(lastHook.at)} ${String(lastHook.outcome)}${lastHook.diagnostic ? `: ${(lastHook.diagnostic as { message: string }).message}` : ""}`);
    for (const line of renderSocketReport(sockets, facts.port)) io.out(line);
    if (watch && frame !== undefined) io.out(`  (frame ${frame}; every ${watch.intervalMs / 1000} s; Ctrl-C stops)`);
    renderDiagnostics(io, [...standingDiagnostics, ...sockets.diagnostics]);
  };

  if (!watch) {
    printFrame(await readSockets());
    return;
  }
  await watchFrames(watch, context, async (frame) => printFrame(await readSockets(), frame));
}

/** Bounded by frame count, total time and Ctrl-C, whichever comes first. */
async function watchFrames(plan: WatchPlan, context: StatusContext, showFrame: (frame: number) => Promise<void>): Promise<void> {
  let interrupted = false;
  let wake: (() => void) | undefined;
  const stopListening = context.onInterrupt(() => {
    interrupted = true;
    wake?.();
  });
  const deadline = Date.now() + plan.maxDurationMs;
  try {
    for (let frame = 1; frame <= plan.maxFrames && !interrupted && Date.now() < deadline; frame++) {
      await showFrame(frame);
      if (frame === plan.maxFrames || interrupted) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, plan.intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    stopListening();
  }
}
