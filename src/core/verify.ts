import fs from "node:fs/promises";
import path from "node:path";
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import type { InstallHandle } from "./open-install.js";
import { inspectFiles, type InstallState } from "./install-state.js";
import { readManifest } from "./manifest.js";
import { tryParseModule } from "./parse.js";
import { readMarker, RUNTIME_FILE } from "./preamble.js";
import { checkFile, checkSource, type SyntaxCheck } from "../verify/syntax-check.js";
import type { SyntaxNodeChoice } from "../verify/syntax-node.js";
import { skippedDiagnostic, skipReason } from "../verify/skipped-check.js";

export interface FileVerification {
  path: string;
  hash: "ok" | "mismatch" | "missing";
  marker: "ok" | "missing" | "n/a";
  parse: "ok" | "failed";
  nodeCheck: "ok" | "failed" | "skipped";
  /** Why node --check was skipped: no Node at hand could judge this file. */
  nodeCheckSkipped?: string;
  detail?: string;
}

export interface VerifyResult {
  ok: boolean;
  state: InstallState;
  /** The Node node --check ran under; null when none at hand could run. */
  nodeBinary: string | null;
  files: FileVerification[];
  diagnostics: Diagnostic[];
}

/**
 * Static verification: record against disk, markers, a parse and `node --check` of every patched
 * file. A file that fails node --check is checked again as its pristine original under the same
 * Node: only a failure the original does not share is ours; a shared one means that Node cannot
 * judge this release, and the check is reported skipped.
 */
export async function verifyStatic(install: InstallHandle, syntax: SyntaxNodeChoice): Promise<VerifyResult> {
  const nodeBinary = syntax.node?.binary ?? null;
  const manifest = await readManifest(install.installDir, install.realRoot);
  const inspected = await inspectFiles(install, manifest, false);
  const diagnostics: Diagnostic[] = [];
  if (!manifest || inspected.state === "stock" || inspected.state === "upgraded") {
    diagnostics.push(
      diagnostic("OCP_NOT_PATCHED", inspected.state === "upgraded" ? `the install was upgraded to ${install.version} since it was patched` : "this install is not patched", "run `openclaw-patch apply`", { state: inspected.state }),
    );
    return { ok: false, state: inspected.state, nodeBinary, files: [], diagnostics };
  }
  const files: FileVerification[] = [];
  const codes = await Promise.all(manifest.files.map((f) => fs.readFile(path.join(install.realRoot, f.path), "utf8").catch(() => undefined)));
  // Every `node --check` starts before the first Babel parse: each is a Node start of its own, so run
  // one after another they were most of verify's time.
  const nodeChecks = manifest.files.map((f, i) => (codes[i] === undefined || nodeBinary === null ? undefined : checkFile(nodeBinary, path.join(install.realRoot, f.path))));
  const skippedFiles: string[] = [];
  for (const [i, f] of manifest.files.entries()) {
    const state = inspected.files.find((x) => x.path === f.path)?.state;
    const code = codes[i];
    const entry: FileVerification = { path: f.path, hash: code === undefined ? "missing" : state === "patched" ? "ok" : "mismatch", marker: "n/a", parse: "failed", nodeCheck: "skipped" };
    if (code !== undefined) {
      if (f.path !== RUNTIME_FILE) {
        const marker = readMarker(code);
        entry.marker = marker && marker.patches.join(",") === f.patches.join(",") ? "ok" : "missing";
      }
      const parsed = tryParseModule(code);
      entry.parse = "ast" in parsed ? "ok" : "failed";
      if ("error" in parsed) entry.detail = parsed.error.message;
      if (nodeBinary === null) {
        entry.nodeCheckSkipped = skipReason(syntax);
        skippedFiles.push(f.path);
      } else {
        const checked = await nodeChecks[i]!;
        if (checked.ok) entry.nodeCheck = "ok";
        else if ((await checkOriginal(install, f.before?.sha256, f.path, nodeBinary))?.ok === false) {
          entry.nodeCheckSkipped = skipReason(syntax);
          entry.detail = `the original fails as well: ${checked.detail}`;
          skippedFiles.push(f.path);
        } else {
          entry.nodeCheck = "failed";
          entry.detail = checked.detail;
        }
      }
    }
    files.push(entry);
    const bad = entry.hash !== "ok" || entry.marker === "missing" || entry.parse !== "ok" || entry.nodeCheck === "failed";
    if (bad) {
      diagnostics.push(
        diagnostic("OCP_VERIFY_FAILED", `${f.path}: hash ${entry.hash}, marker ${entry.marker}, parse ${entry.parse}, node --check ${entry.nodeCheck}${entry.detail ? ` (${entry.detail.split("\n")[0]})` : ""}`, entry.hash !== "ok" ? "run `openclaw-patch apply --force` to restore the originals and patch again" : "revert with `openclaw-patch revert` and report this release", { file: f.path }),
      );
    }
  }
  if (skippedFiles.length > 0) diagnostics.push(skippedDiagnostic(install, syntax, skippedFiles));
  const ok = diagnostics.every((d) => d.severity !== "error");
  return { ok, state: inspected.state, nodeBinary, files, diagnostics };
}

/** The pristine original under the same Node; undefined when there is none to judge by (an added file, a lost backup). */
async function checkOriginal(install: InstallHandle, sha256: string | undefined, file: string, nodeBinary: string): Promise<SyntaxCheck | undefined> {
  if (sha256 === undefined) return undefined;
  const original = await install.objects.get(sha256, file).catch(() => undefined);
  if (original === undefined) return undefined;
  return checkSource(nodeBinary, original, path.join(install.realRoot, file), install.realRoot);
}
