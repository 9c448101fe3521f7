// Bundles the injected runtime into the single self-contained file that apply copies into an
// OpenClaw package. It runs inside the gateway, so it may depend on nothing but node: builtins.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, "build", "runtime", "openclaw-patch-runtime.mjs");

const result = await build({
  entryPoints: [join(root, "src", "runtime", "index.ts")],
  outfile,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  // Anything outside node: builtins would fail to resolve inside the gateway's package.
  external: ["node:*"],
  packages: "bundle",
  sourcemap: false,
  minify: false,
  legalComments: "none",
  logLevel: "warning",
  metafile: true,
});

const strayImports = Object.values(result.metafile.outputs)
  .flatMap((output) => output.imports)
  .filter((entry) => entry.external && !entry.path.startsWith("node:"));
if (strayImports.length > 0) {
  console.error(`build-runtime: non-builtin imports in the runtime bundle: ${strayImports.map((i) => i.path).join(", ")}`);
  process.exit(1);
}
console.log(`build-runtime: wrote ${outfile}`);
