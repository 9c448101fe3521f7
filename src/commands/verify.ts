import { currentHost, type Host } from "../core/host.js";
import { verifyStatic } from "../core/verify.js";
import { inspectFiles } from "../core/install-state.js";
import { readManifest } from "../core/manifest.js";
import { TOOL_VERSION } from "../core/tool-version.js";
import type { CommandIO } from "../cli/io.js";
import { printJson } from "../cli/io.js";
import { EXIT, ExitError } from "../cli/exit-codes.js";
import type { BoundFlags } from "../live/bound-settings.js";
import { liveVerify } from "../live/live-verify.js";
import { DEFAULT_LIVE_HOST } from "../live/loopback-host.js";
import { renderLiveReport } from "../live/render-live.js";
import { renderSelfTest } from "../selftest/render-self-test.js";
import { runSelfTest, type SelfTestResult } from "../selftest/run-self-test.js";
import { gatewayFacts, type GatewayFacts } from "../status/gateway-facts.js";
import { chooseSyntaxNode, type SyntaxNodeChoice } from "../verify/syntax-node.js";
import { resolveTarget, type Target, type TargetOptions } from "./shared/target.js";
import { renderDiagnostics } from "./shared/render.js";
import { parseOptions, type OptionValues, type RawOptions } from "./shared/option-schema.js";
import { VERIFY_OPTIONS } from "./shared/option-tables.js";

/** commander's --no-self-test sets selfTest to false. */
export type VerifyCommandOptions = TargetOptions & RawOptions<typeof VERIFY_OPTIONS>;
type VerifyValues = OptionValues<typeof VERIFY_OPTIONS>;

/** What the command reads from its surroundings; tests pass their own. */
export async function verifyCommand(options: VerifyCommandOptions, io: CommandIO, context: Host = currentHost()): Promise<void> {
  const values = parseOptions(VERIFY_OPTIONS, options);
  const target = await resolveTarget(options);
  const facts = await gatewayFacts({
    realRoot: target.install.realRoot,
    stateDir: target.stateDir,
    foundBy: target.foundBy,
    ...(values.port === undefined ? {} : { portOption: values.port }),
    env: context.env,
    homedir: context.homedir,
  });
  if (values.live) await verifyLive(values, io, context, target, facts);
  else await verifyInstall(values, io, context, target, facts);
}

/** Static checks, then the behavioural self-test of the injected runtime on a patched install. */
async function verifyInstall(options: VerifyValues, io: CommandIO, context: Host, target: Target, facts: GatewayFacts): Promise<void> {
  const { install } = target;
  const syntax = await chooseSyntaxNode({
    ...(options.node === undefined ? {} : { option: options.node }),
    // The gateway's service definition, as gatewayFacts found it: the one place verify reads it.
    ...(facts.service === undefined ? {} : { service: { file: facts.service.file, ...(facts.service.nodeBinary === undefined ? {} : { nodeBinary: facts.service.nodeBinary }) } }),
    realRoot: install.realRoot,
    env: context.env,
    homedir: context.homedir,
    platform: context.platform,
    execPath: process.execPath,
  });
  const result = await verifyStatic(install, syntax);
  const nodeBinary = syntax.node?.binary ?? options.node ?? process.execPath;
  let selfTest: SelfTestResult | null = null;
  if (options.selfTest !== false && result.state === "patched") {
    selfTest = await runSelfTest({ packageRoot: install.realRoot, nodeBinary, release: install.version, toolVersion: TOOL_VERSION, env: context.env });
  }
  const ok = result.ok && selfTest?.status !== "failed";
  const diagnostics = [...syntax.diagnostics, ...result.diagnostics, ...(selfTest?.diagnostics ?? [])];
  if (io.json) {
    const syntaxNode = syntax.node ? { binary: syntax.node.binary, version: syntax.node.version, source: syntax.node.source, satisfiesEngines: syntax.node.satisfiesEngines } : null;
    printJson(io, { command: "verify", root: install.realRoot, version: install.version, ...result, ok, nodeSource: syntax.node?.source ?? null, syntaxNode, engines: syntax.engines ?? null, selfTest, diagnostics });
  } else {
    io.out(`openclaw-patch verify: ${install.realRoot} (OpenClaw ${install.version})`);
    io.out(`  state: ${result.state}; ${describeSyntaxNode(syntax)}`);
    for (const f of result.files) {
      const fileOk = f.hash === "ok" && f.marker !== "missing" && f.parse === "ok" && f.nodeCheck !== "failed";
      const skipped = f.nodeCheckSkipped === undefined ? "" : ` (${f.nodeCheckSkipped})`;
      io.out(`    ${fileOk ? "✓" : "✗"} ${f.path}: sha256 ${f.hash}, marker ${f.marker}, parse ${f.parse}, node --check ${f.nodeCheck}${skipped}`);
    }
    if (selfTest) for (const line of renderSelfTest(selfTest)) io.out(line);
    io.out(ok ? "  verify passed" : "  verify FAILED");
    renderDiagnostics(io, diagnostics);
  }
  if (!ok) throw new ExitError(EXIT.failed);
}

async function verifyLive(options: VerifyValues, io: CommandIO, context: Host, target: Target, facts: GatewayFacts): Promise<void> {
  const { install } = target;
  const host = options.host ?? DEFAULT_LIVE_HOST;
  const manifest = await readManifest(install.installDir, install.realRoot);
  const inspected = await inspectFiles(install, manifest, false);
  const flags: BoundFlags = {
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: String(options.heartbeatMs) }),
    ...(options.pongTimeoutMs === undefined ? {} : { pongTimeoutMs: String(options.pongTimeoutMs) }),
    ...(options.closeGraceMs === undefined ? {} : { closeGraceMs: String(options.closeGraceMs) }),
    ...(options.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: String(options.handshakeTimeoutMs) }),
  };
  const report = await liveVerify({
    release: install.release,
    state: inspected.state,
    ...(manifest ? { manifest } : {}),
    gateway: facts,
    host,
    ...(options.token ? { token: options.token } : {}),
    flags,
    env: context.env,
    platform: context.platform,
    toolVersion: TOOL_VERSION,
  });
  const diagnostics = [...facts.diagnostics, ...report.diagnostics];
  if (io.json) {
    printJson(io, { command: "verify", mode: "live", root: install.realRoot, version: install.version, ok: report.ok, live: report, diagnostics });
  } else {
    io.out(`openclaw-patch verify --live: ${install.realRoot} (OpenClaw ${install.version})`);
    for (const line of renderLiveReport(report)) io.out(line);
    renderDiagnostics(io, diagnostics);
  }
  if (!report.ok) throw new ExitError(EXIT.failed);
}

function describeSyntaxNode(syntax: SyntaxNodeChoice): string {
  if (syntax.node === undefined) return `node --check skipped: no Node at hand could be run${syntax.needs === undefined ? "" : ` (OpenClaw needs Node >= ${syntax.needs})`}`;
  const tooOld = syntax.node.satisfiesEngines === false ? `; the release needs Node >= ${syntax.needs}` : "";
  return `node --check with ${syntax.node.binary} (${syntax.node.version}, ${syntax.node.source}${tooOld})`;
}
