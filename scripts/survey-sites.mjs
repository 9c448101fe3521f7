// Development aid: runs the site matcher over extracted releases and prints counts per site.
import { matchSites, contractDiagnostics } from "../build/src/core/match.js";
import { parseRelease } from "../build/src/core/release.js";
import { SITES } from "../build/src/sites/index.js";
import os from "node:os";
import path from "node:path";
import fs from "node:fs";

const base = path.join(os.homedir(), ".cache/openclaw-patch/pkgs");
const versions = process.argv.slice(2).length ? process.argv.slice(2) : fs.readdirSync(base);
for (const v of versions) {
  const root = path.join(base, v, "package");
  const t0 = performance.now();
  const report = await matchSites(root, parseRelease(v), SITES);
  const ms = Math.round(performance.now() - t0);
  const line = report.results.map((r) => `${r.site}=${r.matches.length}/${r.expected.count}${r.matches.length ? "" : `(nm ${r.nearMisses.length})`}`).join(" ");
  console.log(`${v} [${ms} ms, ${report.prefilteredFiles.length} hits] ${line}`);
  for (const d of contractDiagnostics(report.results)) console.log("   ", d.message.slice(0, 400));
  for (const d of report.diagnostics) console.log("   ", d.code, d.message.slice(0, 200));
}
