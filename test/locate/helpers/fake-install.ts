import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { PlatformPath } from "node:path";
import type { MemoryFs } from "./memory-fs.js";

export interface FakeInstallOptions {
  version: string;
  name?: string;
  /** Text of dist/build-info.json; null leaves the file out. Defaults to a well-formed one for `version`. */
  buildInfo?: string | null;
}

/** The files locate looks at, nothing more: package.json, dist/build-info.json and the entry points. */
export function fakeInstallFiles(options: FakeInstallOptions): Record<string, string> {
  const packageJson = JSON.stringify(
    { name: options.name ?? "openclaw", version: options.version, type: "module", bin: { openclaw: "openclaw.mjs" }, main: "dist/index.js" },
    null,
    2,
  );
  const buildInfo =
    options.buildInfo === undefined
      ? JSON.stringify({ version: options.version, commit: "0123456789abcdef0123456789abcdef01234567", builtAt: "2026-03-25T16:56:36.702Z" })
      : options.buildInfo;
  return {
    "package.json": packageJson,
    "openclaw.mjs": "#!/usr/bin/env node\nimport('./dist/entry.js');\n",
    "dist/entry.js": "export {};\n",
    "dist/index.js": "export {};\n",
    ...(buildInfo === null ? {} : { "dist/build-info.json": buildInfo }),
  };
}

export async function writeFakeInstall(root: string, options: FakeInstallOptions): Promise<string> {
  for (const [relative, content] of Object.entries(fakeInstallFiles(options))) {
    const file = path.join(root, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return root;
}

export function addFakeInstall(fs: MemoryFs, path: PlatformPath, root: string, options: FakeInstallOptions): string {
  for (const [relative, content] of Object.entries(fakeInstallFiles(options))) fs.file(path.join(root, ...relative.split("/")), content);
  return root;
}
