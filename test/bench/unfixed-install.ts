// A patched install with every fix switched off and tracing left on: the runtime runs a fix only when
// its chunk's attach options say `true` (src/runtime/attach-options.ts), so rewriting those options
// in a scratch copy leaves a gateway that behaves like the stock one and still writes its trace.
// OPENCLAW_PATCH_DISABLE is no substitute: it switches tracing off with the fixes.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FixSelection } from "../../src/runtime/contract.js";
import { readMarker } from "../../src/core/preamble.js";

const NO_FIXES: FixSelection = { heartbeat: false, enforceReleasePing: false, closeGrace: false, tcpKeepAlive: false, boundedShutdown: false, httpTimeouts: false };
const FIXES_OPTION = /"fixes":\{[^}]*\}/g;

/** The release's own terminate is reset by the runtime when this is on; off, it closes as stock does. */
export const UNFIXED_ENV = { OPENCLAW_PATCH_ABORTIVE_CLOSE: "off" } as const;

/** Rewrites the attach options of every patched chunk under dist/; returns how many chunks it rewrote. */
export async function switchFixesOff(packageRoot: string): Promise<number> {
  let rewritten = 0;
  const dist = join(packageRoot, "dist");
  for (const entry of await readdir(dist, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".js")) continue;
    const file = join(entry.parentPath, entry.name);
    const code = await readFile(file, "utf8");
    if (readMarker(code) === undefined) continue;
    const unfixed = code.replace(FIXES_OPTION, `"fixes":${JSON.stringify(NO_FIXES)}`);
    if (unfixed === code) continue;
    await writeFile(file, unfixed);
    rewritten++;
  }
  if (rewritten === 0) throw new Error(`no patched chunk with attach options under ${dist}`);
  return rewritten;
}
