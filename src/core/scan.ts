import { createRequire } from "node:module";
import path from "node:path";
import type FastGlob from "fast-glob";
import { NeedleGroups } from "./needles.js";
import { WholeFileReader } from "./whole-file-reader.js";

/**
 * Bundle files that may hold gateway code. Left out: the worker bundle (minified, hash-pinned
 * upstream), extensions' private node_modules, and the control UI's browser assets, which the
 * gateway serves to browsers but never runs (a quarter of the bytes in 2026.9.x).
 */
export const BUNDLE_GLOB = "dist/**/*.{js,mjs,cjs}";
export const BUNDLE_IGNORE = ["dist/worker/**", "**/node_modules/**", "dist/control-ui/**"];

export interface ScannedFile {
  /** Path relative to the package root, with forward slashes. */
  path: string;
  content: Buffer;
}

let fastGlob: typeof FastGlob | undefined;

/**
 * The bundle files, sorted. fast-glob is required on first use, not imported: commands that never
 * list bundles (a no-change apply, status) do not load it, and requiring it skips the export-name
 * scan Node runs when ESM imports a CommonJS package. The synchronous listing is the quicker one
 * here, for the same reason as the reads below.
 */
export function listBundleFiles(root: string): string[] {
  fastGlob ??= createRequire(import.meta.url)("fast-glob") as typeof FastGlob;
  const files = fastGlob.sync(BUNDLE_GLOB, {
    cwd: root,
    ignore: BUNDLE_IGNORE,
    onlyFiles: true,
    followSymbolicLinks: false,
    dot: false,
  });
  return files.sort();
}

/**
 * Reads every bundle file once and keeps those containing all strings of at least one group.
 * A substring test on bytes is far cheaper than parsing, and only a handful of the thousands
 * of chunks pass it.
 *
 * Reads are synchronous on purpose: with ~9,000 small chunks in the page cache, fs.promises.readFile
 * pays several thread-pool round trips per file and was about 3x slower than readFileSync, and
 * nothing else runs on the event loop while a command scans.
 */
export function prefilterFiles(
  root: string,
  files: readonly string[],
  groups: readonly (readonly string[])[],
  /** Contents to use instead of the disk's. */
  overrides: ReadonlyMap<string, Buffer> = new Map(),
): ScannedFile[] {
  const needles = new NeedleGroups(groups);
  const reader = new WholeFileReader();
  const hits: ScannedFile[] = [];
  for (const rel of files) {
    const override = overrides.get(rel);
    const content = override ?? reader.read(path.join(root, rel));
    // The reader reuses its buffer: a kept file gets a copy of its own.
    if (needles.matches(content)) hits.push({ path: rel, content: override ?? Buffer.from(content) });
  }
  return hits.sort((a, b) => (a.path < b.path ? -1 : 1));
}
