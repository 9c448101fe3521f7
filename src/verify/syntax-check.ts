import { runProcess, succeeded } from "../core/run-process.js";
import fs from "node:fs/promises";
import path from "node:path";

export type SyntaxCheck = { ok: true } | { ok: false; detail: string };

const CHECK_TIMEOUT_MS = 60_000;

/** `node --check <file>`, the file read as Node would load it; never rejects. */
export function checkFile(nodeBinary: string, file: string): Promise<SyntaxCheck> {
  return runCheck(nodeBinary, ["--check", file]);
}

/**
 * `node --check` of bytes that are not on disk under their own name (a pristine original in the
 * backup store), fed on stdin as the module kind the file at `file` would be loaded as.
 */
export async function checkSource(nodeBinary: string, source: Buffer, file: string, packageRoot: string): Promise<SyntaxCheck> {
  const kind = await moduleKind(file, packageRoot);
  return runCheck(nodeBinary, ["--check", ...(kind === undefined ? [] : [`--input-type=${kind}`]), "-"], source);
}

/** .mjs and .cjs say so; a .js is what the nearest package.json's "type" says (none: Node decides). Never rejects. */
async function moduleKind(file: string, packageRoot: string): Promise<"module" | "commonjs" | undefined> {
  try {
    return await nearestType(file, packageRoot);
  } catch {
    return undefined;
  }
}

async function nearestType(file: string, packageRoot: string): Promise<"module" | "commonjs" | undefined> {
  if (file.endsWith(".mjs")) return "module";
  if (file.endsWith(".cjs")) return "commonjs";
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const text = await fs.readFile(path.join(dir, "package.json"), "utf8").catch(() => undefined);
    // The nearest package.json decides, with or without a "type".
    if (text !== undefined) {
      const type = (JSON.parse(text) as { type?: unknown }).type;
      return type === "module" || type === "commonjs" ? type : undefined;
    }
    if (dir === packageRoot || path.dirname(dir) === dir) return undefined;
  }
}

async function runCheck(nodeBinary: string, args: string[], input?: Buffer): Promise<SyntaxCheck> {
  const outcome = await runProcess({ argv: [nodeBinary, ...args], ...(input === undefined ? {} : { stdin: input }) }, { timeoutMs: CHECK_TIMEOUT_MS, maxOutputBytes: 4 << 20 });
  if (succeeded(outcome)) return { ok: true };
  return { ok: false, detail: (outcome.stderr || outcome.startError || `exit ${outcome.code}`).split("\n").slice(0, 6).join("\n") };
}
