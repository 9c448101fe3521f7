import { readFile, readdir, realpath, stat } from "node:fs/promises";
import path, { type PlatformPath } from "node:path";
import { currentHost, type Host } from "../core/host.js";
import { runProcess, type ProcessRunner } from "../core/run-process.js";

/** The file-system calls locate needs; tests pass an in-memory version keyed by Windows or POSIX paths. */
export interface LocateFs {
  readFile(file: string): Promise<string>;
  stat(file: string): Promise<{ isFile(): boolean; isDirectory(): boolean; size: number }>;
  realpath(file: string): Promise<string>;
  readdir(dir: string): Promise<string[]>;
}

/** Only the pieces needed to read a package: no environment, no processes. */
export interface PackageEnv {
  fs: LocateFs;
  path: PlatformPath;
}

/** Everything environment-dependent that auto-detection reads. */
export interface LocateEnv extends PackageEnv, Host {
  run: ProcessRunner;
}

export const RUN_TIMEOUT_MS = 4000;

export const nodeFs: LocateFs = {
  readFile: (file) => readFile(file, "utf8"),
  stat: (file) => stat(file),
  realpath: (file) => realpath(file),
  readdir: (dir) => readdir(dir),
};

export function pathFor(platform: NodeJS.Platform): PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

export function currentPackageEnv(): PackageEnv {
  return { fs: nodeFs, path: pathFor(process.platform) };
}

export function currentLocateEnv(): LocateEnv {
  return {
    ...currentHost(),
    path: pathFor(process.platform),
    fs: nodeFs,
    run: runProcess,
  };
}
