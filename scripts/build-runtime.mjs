// Bundles the two programs that run under the gateway's Node, each into one self-contained file in
// build/runtime/ (shipped with the package): the injected runtime, which apply copies into an
// OpenClaw package and which runs inside the gateway, and the self-test program that verify starts
// with the gateway's Node. Both may depend on nothing but node: builtins.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundles = [
  { entry: join(root, "src", "runtime", "index.ts"), outfile: join(root, "build", "runtime", "openclaw-patch-runtime.mjs") },
  { entry: join(root, "src", "selftest", "child", "main.ts"), outfile: join(root, "build", "runtime", "openclaw-patch-self-test.mjs") },
];

for (const { entry, outfile } of bundles) {
  const result = await build({
    entryPoints: [entry],
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
    console.error(`build-runtime: non-builtin imports in ${outfile}: ${strayImports.map((i) => i.path).join(", ")}`);
    process.exit(1);
  }
  console.log(`build-runtime: wrote ${outfile}`);
}
