import type { Diagnostic } from "../core/diagnostics.js";
import type { ServiceRef } from "./finding.js";
import type { VersionSource } from "./release.js";

/** One OpenClaw package on disk, with every way it was found. */
export interface Install {
  /** The package folder as first found (symlinks kept, as the operator knows it). */
  root: string;
  /** The same folder with symlinks resolved; installs are deduplicated on this. */
  realRoot: string;
  version: string | null;
  versionSource: VersionSource | null;
  commit?: string;
  builtAt?: string;
  /** "<source>:<evidence>" in probe order, e.g. ["path:/usr/bin/openclaw", "systemd:/home/op/.config/systemd/user/openclaw-gateway.service"]. */
  foundBy: string[];
  /** The first gateway service definition that runs this install; foundBy lists any others. */
  service?: ServiceRef;
}

export interface LocateResult {
  installs: Install[];
  diagnostics: Diagnostic[];
}
