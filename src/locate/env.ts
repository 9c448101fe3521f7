import { execFile } from "node:child_process";
import { readFile, readdir, realpath, stat } from "node:fs/promises";
import path, { type PlatformPath } from "node:path";
import { currentHost, type Host } from "../core/host.js";

/** The file-system calls locate needs; tests pass an in-memory version keyed by Windows or POSIX paths. */
export interface LocateFs {
  readFile(file: string): Promise<string>;
  stat(file: string): Promise<{ isFile(): boolean; isDirectory(): boolean; size: number }>;
  realpath(file: string): Promise<string>;
  readdir(dir: string): Promise<string[]>;
}

export interface RunResult {
  stdout: string;
  code: number;
}

/** Runs a fixed command; resolves null when it is missing or timed out, never rejects. */
export type RunCommand = (command: string, args: readonly string[]) => Promise<RunResult | null>;

/** Only the pieces needed to read a package: no environment, no processes. */
export interface PackageEnv {
  fs: LocateFs;
  path: PlatformPath;
}

/** Everything environment-dependent that auto-detection reads. */
export interface LocateEnv extends PackageEnv, Host {
  run: RunCommand;
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
    run: (command, args) => runWithTimeout(command, args, process.platform),
  };
}

function runWithTimeout(command: string, args: readonly string[], platform: NodeJS.Platform): Promise<RunResult | null> {
  return new Promise((resolve) => {
    // npm and pnpm are .cmd files on Windows, which Node only spawns through a shell.
    // Callers pass fixed command names and arguments, never user input, so the shell is safe here.
    const options = { timeout: RUN_TIMEOUT_MS, windowsHide: true, shell: platform === "win32", encoding: "utf8" as const };
    execFile(command, [...args], options, (error, stdout) => {
      if (error === null) return resolve({ stdout, code: 0 });
      const code = (error as { code?: unknown }).code;
      if (typeof code === "number" && !error.killed) return resolve({ stdout, code });
      resolve(null);
    });
  });
}
