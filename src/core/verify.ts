import fs from "node:fs/promises";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import type { InstallHandle } from "./open-install.js";
import { inspectFiles, type InstallState } from "./install-state.js";
import { readManifest } from "./manifest.js";
import { tryParseModule } from "./parse.js";
import { readMarker, RUNTIME_FILE } from "./preamble.js";

const run = promisify(execFile);

export interface FileVerification {
  path: string;
  hash: "ok" | "mismatch" | "missing";
  marker: "ok" | "missing" | "n/a";
  parse: "ok" | "failed";
  nodeCheck: "ok" | "failed" | "skipped";
  detail?: string;
}

export interface VerifyResult {
  ok: boolean;
  state: InstallState;
  nodeBinary: string;
  files: FileVerification[];
  diagnostics: Diagnostic[];
}

/** Static verification: record against disk, markers, a parse and `node --check` of every patched file. */
export async function verifyStatic(install: InstallHandle, nodeBinary: string): Promise<VerifyResult> {
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
  const nodeChecks = manifest.files.map((f, i) => (codes[i] === undefined ? undefined : nodeCheck(nodeBinary, path.join(install.realRoot, f.path))));
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
      const checked = await nodeChecks[i]!;
      entry.nodeCheck = checked.ok ? "ok" : "failed";
      if (!checked.ok) entry.detail = checked.detail;
    }
    files.push(entry);
    const bad = entry.hash !== "ok" || entry.marker === "missing" || entry.parse !== "ok" || entry.nodeCheck !== "ok";
    if (bad) {
      diagnostics.push(
        diagnostic("OCP_VERIFY_FAILED", `${f.path}: hash ${entry.hash}, marker ${entry.marker}, parse ${entry.parse}, node --check ${entry.nodeCheck}${entry.detail ? ` (${entry.detail.split("\n")[0]})` : ""}`, entry.hash !== "ok" ? "run `openclaw-patch apply --force` to restore the originals and patch again" : "revert with `openclaw-patch revert` and report this release", { file: f.path }),
      );
    }
  }
  return { ok: diagnostics.length === 0, state: inspected.state, nodeBinary, files, diagnostics };
}

/** `node --check <file>`; never rejects. */
async function nodeCheck(nodeBinary: string, file: string): Promise<{ ok: true } | { ok: false; detail: string }> {
  try {
    await run(nodeBinary, ["--check", file], { timeout: 60_000 });
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: String((error as { stderr?: string }).stderr ?? error).split("\n").slice(0, 6).join("\n") };
  }
}
