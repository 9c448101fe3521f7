import path from "node:path";

/** Where the hook keeps its files inside the openclaw-patch state folder (never in the package). */
export interface HookLayout {
  dir: string;
  record: string;
  /** Original bytes of every service file the hook changed, named by their sha256. */
  originals: string;
}

export function hookLayout(stateDir: string): HookLayout {
  const dir = path.join(stateDir, "hook");
  return { dir, record: path.join(dir, "hook-record.json"), originals: path.join(dir, "originals") };
}
