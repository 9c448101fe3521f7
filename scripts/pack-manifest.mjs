// The package.json inside the tarball, without `prepare`: that script exists only so that npm builds
// a git checkout before packing it, and npm 11 warns about it ("install scripts not yet covered by
// allowScripts") on every `npm i -g` of a tarball that still names it.
// `strip` (prepack) sets the checkout's package.json aside and writes the packed one; `restore`
// (postpack) puts it back. A pack that died in between is repaired by the next strip.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const manifest = path.join(root, "package.json");
const aside = path.join(root, "package.json.before-pack");

const mode = process.argv[2];
if (mode === "strip") {
  if (!fs.existsSync(aside)) fs.copyFileSync(manifest, aside);
  const pkg = JSON.parse(fs.readFileSync(aside, "utf8"));
  delete pkg.scripts.prepare;
  fs.writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (mode === "restore") {
  if (fs.existsSync(aside)) fs.renameSync(aside, manifest);
} else {
  console.error("usage: node scripts/pack-manifest.mjs strip|restore");
  process.exit(2);
}
