import { verifyStatic } from "../core/verify.js";
import type { CommandIO } from "../cli/io.js";
import { printJson } from "../cli/io.js";
import { EXIT, ExitError } from "../cli/exit-codes.js";
import { resolveTarget, type TargetOptions } from "./shared/target.js";
import { renderDiagnostics } from "./shared/render.js";

export interface VerifyCommandOptions extends TargetOptions {
  node?: string;
}

export async function verifyCommand(options: VerifyCommandOptions, io: CommandIO): Promise<void> {
  const target = await resolveTarget(options);
  const result = await verifyStatic(target.install, options.node ?? process.execPath);
  if (io.json) printJson(io, { command: "verify", root: target.install.realRoot, version: target.install.version, ...result });
  else {
    io.out(`openclaw-patch verify: ${target.install.realRoot} (OpenClaw ${target.install.version})`);
    io.out(`  state: ${result.state}; node --check with ${result.nodeBinary}`);
    for (const f of result.files) {
      const ok = f.hash === "ok" && f.marker !== "missing" && f.parse === "ok" && f.nodeCheck === "ok";
      io.out(`    ${ok ? "✓" : "✗"} ${f.path}: sha256 ${f.hash}, marker ${f.marker}, parse ${f.parse}, node --check ${f.nodeCheck}`);
    }
    io.out(result.ok ? "  verify passed" : "  verify FAILED");
    renderDiagnostics(io, result.diagnostics);
  }
  if (!result.ok) throw new ExitError(EXIT.failed);
}
