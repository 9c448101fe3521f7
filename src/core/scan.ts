import fs from "node:fs/promises";
import path from "node:path";
import fg from "fast-glob";

/** Bundle files that may hold gateway code. The worker bundle is minified and hash-pinned upstream. */
export const BUNDLE_GLOB = "dist/**/*.{js,mjs,cjs}";
export const BUNDLE_IGNORE = ["dist/worker/**", "**/node_modules/**"];

export interface ScannedFile {
  /** Path relative to the package root, with forward slashes. */
  path: string;
  content: Buffer;
}

export async function listBundleFiles(root: string): Promise<string[]> {
  const files = await fg(BUNDLE_GLOB, {
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
 */
export async function prefilterFiles(
  root: string,
  files: readonly string[],
  groups: readonly (readonly string[])[],
  concurrency = 32,
  read: (rel: string) => Promise<Buffer> = (rel) => fs.readFile(path.join(root, rel)),
): Promise<ScannedFile[]> {
  const needles = groups.map((group) => group.map((s) => Buffer.from(s)));
  const hits: ScannedFile[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < files.length) {
      const rel = files[next++]!;
      const content = await read(rel);
      if (needles.some((group) => group.every((needle) => content.includes(needle)))) {
        hits.push({ path: rel, content });
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return hits.sort((a, b) => (a.path < b.path ? -1 : 1));
}
