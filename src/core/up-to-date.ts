import type { InstallHandle } from "./open-install.js";
import { inspectFiles } from "./install-state.js";
import { readManifest, type Manifest } from "./manifest.js";
import { journalExists } from "./journal.js";
import type { RuntimeConfig } from "../runtime/contract.js";

export interface Recipe {
  toolVersion: string;
  patchIds: readonly string[];
  config: RuntimeConfig;
}

export function sameRecipe(manifest: Manifest, recipe: Recipe): boolean {
  return (
    manifest.toolVersion === recipe.toolVersion &&
    JSON.stringify(manifest.patchSet) === JSON.stringify(recipe.patchIds) &&
    JSON.stringify(manifest.config) === JSON.stringify(recipe.config)
  );
}

/**
 * The no-change check, kept free of the parser so a hook run before every gateway start stays close
 * to a bare Node start: the record, the release stamp and each file's size and mtime.
 */
export async function isUpToDate(install: InstallHandle, recipe: Recipe): Promise<boolean> {
  // A killed run's journal (and what it names in the package) is settled only by the engine's recovery.
  if (await journalExists(install.installDir)) return false;
  const manifest = await readManifest(install.installDir, install.realRoot);
  if (!manifest || !sameRecipe(manifest, recipe)) return false;
  const report = await inspectFiles(install, manifest, true);
  return report.state === "patched" && report.fromStatOnly;
}
