import fs from "node:fs/promises";
import path from "node:path";
import { ObjectStore } from "./objects.js";
import { fail } from "./diagnostics.js";
import { parseRelease, type ReleaseVersion } from "./release.js";
import { readRelease } from "../locate/release.js";
import { installDirOf, objectsDirOf } from "./state-layout.js";

/** An install opened for an operation: where it is, what release, where its record lives. */
export interface InstallHandle {
  root: string;
  realRoot: string;
  version: string;
  versionSource: "build-info" | "package.json";
  release: ReleaseVersion;
  stateDir: string;
  installDir: string;
  objects: ObjectStore;
  stamp: { file: string; size: number; mtimeMs: number };
}

export async function openInstall(root: string, stateDir: string): Promise<InstallHandle> {
  const realRoot = await fs.realpath(root).catch(() => fail("OCP_NOT_OPENCLAW", `${root} does not exist`, "pass --dir with the folder of the installed openclaw package"));
  const pkg = await readJson(path.join(realRoot, "package.json"));
  if (!pkg || pkg.name !== "openclaw") {
    fail("OCP_NOT_OPENCLAW", `${root} is not an OpenClaw package${pkg ? ` (package.json names ${JSON.stringify(pkg.name)})` : " (no package.json)"}`, "pass --dir with the folder of the installed openclaw package, e.g. $(npm root -g)/openclaw");
  }
  const facts = await readRelease(realRoot);
  const version = facts.version ?? undefined;
  const release = version ? parseRelease(version) : undefined;
  if (!version || !release) fail("OCP_NOT_OPENCLAW", `${root} has no readable OpenClaw version`, "reinstall OpenClaw; its package.json or dist/build-info.json is damaged");
  const hasBuildInfo = await fs.access(path.join(realRoot, "dist", "build-info.json")).then(() => true, () => false);
  const stampFile = hasBuildInfo ? "dist/build-info.json" : "package.json";
  const st = await fs.stat(path.join(realRoot, stampFile));
  return {
    root,
    realRoot,
    version,
    versionSource: facts.versionSource ?? "package.json",
    release,
    stateDir,
    installDir: installDirOf(stateDir, realRoot),
    objects: new ObjectStore(objectsDirOf(stateDir)),
    stamp: { file: stampFile, size: st.size, mtimeMs: st.mtimeMs },
  };
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
