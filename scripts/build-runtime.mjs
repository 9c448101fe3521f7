// Bundles the two programs that run under the gateway's Node, each into one self-contained file in
// build/runtime/ (shipped with the package): the injected runtime, which apply copies into an
// OpenClaw package and which runs inside the gateway, and the self-test program that verify starts
// with the gateway's Node. Both may depend on nothing but node: builtins.
// Then the HTML report's page: its script with the charting library (uPlot) in one browser file,
// and uPlot's style with ours, which `openclaw-patch report` inlines into every report.
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
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

const pageDir = join(root, "src", "report", "page");
const pageScript = join(root, "build", "runtime", "report-page.js");
await build({
  entryPoints: [join(pageDir, "main.ts")],
  outfile: pageScript,
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2020",
  minify: true,
  sourcemap: false,
  // uPlot's notice does not use a /*! comment that esbuild would keep, so its licence goes first.
  banner: { js: `/*! uPlot, bundled: ${readFileSync(join(root, "node_modules", "uplot", "LICENSE"), "utf8").trim().replaceAll("*/", "* /")} */` },
  legalComments: "inline",
  logLevel: "warning",
});
const uplotStyle = readFileSync(join(root, "node_modules", "uplot", "dist", "uPlot.min.css"), "utf8");
writeFileSync(join(root, "build", "runtime", "report-page.css"), `${uplotStyle}\n${readFileSync(join(pageDir, "report.css"), "utf8")}`);
console.log(`build-runtime: wrote ${pageScript} and report-page.css`);
