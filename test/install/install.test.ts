// The operator's path: the project packed from a clean clone, `npm i -g` of the tarball under real
// Node 20, 22 and 24 binaries, then the installed command on real releases under that same Node.
// `npm run test:install` runs every Node and the git-URL install (OCP_INSTALL_LANE=full); the
// default run keeps SAMPLE: Node 20 with 2026.9.3, whose engines it does not meet.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import { CURRENT_NODE_VERSION, ensureNode } from "../support/node-binary.js";
import { pristineTreeHash, scratchCopy, scratchFolders, treeHash } from "../support/packages.js";
import { operatorShell, run, type OperatorShell } from "./operator.js";
import { packFromCleanClone, packSkipReason, SOURCE_ROOT, type PackedClone } from "./packed-clone.js";

/** The release whose `using` declarations Node < 24 cannot parse; its engines need >= 24.16. */
const NEW_RELEASE = "2026.9.3";

/** Each Node line the package's engines claim, at the version tested, with the releases run under it. */
const NODES: readonly { version: string; releases: readonly string[] }[] = [
  { version: "20.19.0", releases: [NEW_RELEASE, "2026.3.24"] },
  { version: "22.22.2", releases: [NEW_RELEASE, "2026.4.26"] },
  { version: CURRENT_NODE_VERSION, releases: [NEW_RELEASE, "2026.9.6"] },
];
const full = process.env.OCP_INSTALL_LANE === "full";
const lane = full ? NODES : [{ version: NODES[0]!.version, releases: [NEW_RELEASE] }];
const PACKAGE = JSON.parse(readFileSync(path.join(SOURCE_ROOT, "package.json"), "utf8")) as { name: string; version: string; license: string };
const LANE_TIMEOUT_MS = 60 * 60_000;
/** The report command on a trace of the repo's own fixtures, through the installed command. */
const HEALTH_TRACE = path.join(SOURCE_ROOT, "fixtures", "trace", "health.jsonl");
const scratch = scratchFolders();

describe("the packed tarball, installed as an operator does", { skip: packSkipReason() ?? false, timeout: LANE_TIMEOUT_MS }, () => {
  let packed: PackedClone;

  before(async () => {
    packed = await packFromCleanClone(await scratch("install-pack"));
  });

  test("npm pack of a clean clone ships the built command, the runtime and the LICENSE, and nothing else", async (t) => {
    t.diagnostic(`npm ci + npm pack in a clean clone: ${(packed.packMs / 1000).toFixed(1)} s`);
    const listing = (await output("tar", ["-tzf", packed.tarball])).split("\n").filter(Boolean);
    for (const file of ["package/package.json", "package/LICENSE", "package/README.md", "package/build/src/cli.js", "package/build/runtime/openclaw-patch-runtime.mjs", "package/build/runtime/report-page.js", "package/build/runtime/report-page.css", "package/build/patches/index.js"]) {
      assert.ok(listing.includes(file), `${file} in ${path.basename(packed.tarball)}`);
    }
    const stray = listing.filter((f) => !/^package\/(package\.json|LICENSE|README\.md|build\/(src|patches|runtime)\/.*\.(m?js|json)|build\/runtime\/report-page\.css)$/.test(f));
    assert.deepEqual(stray, [], "no tests, sources, source maps or fixtures");
    const cli = await output("tar", ["-xzOf", packed.tarball, "package/build/src/cli.js"]);
    assert.equal(cli.split("\n")[0], "#!/usr/bin/env node");
    assert.match(await output("tar", ["-xzOf", packed.tarball, "package/LICENSE"]), /^MIT License\n\nCopyright \(c\) \d{4} openclaw-patch contributors/);
  });

  for (const node of lane) {
    describe(`Node ${node.version}`, () => {
      let shell: OperatorShell;

      test(`npm i -g ./openclaw-patch-*.tgz, then openclaw-patch --version and --help`, async (t) => {
        shell = await operatorShell(await ensureNode(node.version), await scratch(`install-node-${node.version}`));
        const which = await run(shell, "node", ["--version"]);
        assert.equal(which.stdout.trim(), `v${node.version}`, "npm and the bin run under this Node");
        const installed = await run(shell, "npm", ["i", "-g", packed.tarball], path.dirname(packed.tarball));
        assert.equal(installed.code, 0, installed.stdout + installed.stderr);
        assert.doesNotMatch(installed.stderr, /EBADENGINE/, "the package's engines admit this Node");
        assert.doesNotMatch(installed.stderr, /install-scripts/, "the packed package.json names no install-time script");
        t.diagnostic(`npm i -g of the tarball: ${(installed.ms / 1000).toFixed(1)} s`);
        const version = await run(shell, "openclaw-patch", ["--version"]);
        assert.equal(version.code, 0, version.stderr);
        assert.equal(version.stdout.trim(), PACKAGE.version);
        const help = await run(shell, "openclaw-patch", ["--help"]);
        assert.equal(help.code, 0, help.stderr);
        assert.match(help.stdout, /apply \[options\]/);
        const html = path.join(await scratch(`install-report-${node.version}`), "report.html");
        const report = await run(shell, "openclaw-patch", ["report", HEALTH_TRACE, "--html", html]);
        assert.equal(report.code, 0, report.stdout + report.stderr);
        assert.match(await fs.readFile(html, "utf8"), /uPlot/, "the installed command inlines its charting library");
        t.diagnostic(`openclaw-patch --version ${Math.round(version.ms)} ms, --help ${Math.round(help.ms)} ms`);
      });

      for (const release of node.releases) {
        test(`apply, verify, revert on ${release}: no false failure`, async () => {
          const dir = await scratch(`install-${node.version}-${release}`);
          const root = await scratchCopy(release, dir);
          const target = ["--dir", root, "--state-dir", path.join(dir, "state")];
          const applied = await run(shell, "openclaw-patch", ["apply", ...target, "--json"]);
          assert.equal(applied.code, 0, applied.stdout + applied.stderr);
          assert.equal(applied.json.outcome, "applied");

          const verified = await run(shell, "openclaw-patch", ["verify", ...target, "--json"]);
          assert.equal(verified.code, 0, verified.stdout + verified.stderr);
          const engines = verified.json.engines as string;
          const admitted = verified.json.syntaxNode.satisfiesEngines as boolean;
          assert.equal(verified.json.syntaxNode.version, `v${node.version}`);
          const skipped = verified.json.files.filter((f: any) => f.nodeCheck === "skipped");
          if (admitted) assert.deepEqual(skipped, [], `Node ${node.version} meets ${engines}: every file checked`);
          for (const f of skipped) assert.match(f.nodeCheckSkipped, /^needs Node >= \d+\.\d+/, f.path);
          for (const f of verified.json.files.filter((x: any) => x.nodeCheck !== "skipped")) assert.equal(f.nodeCheck, "ok", f.path);
          if (release === NEW_RELEASE && Number(node.version.split(".")[0]) < 24) {
            assert.ok(skipped.length > 0, `Node ${node.version} cannot parse ${release}'s server-start chunk`);
            const warning = verified.json.diagnostics.find((d: any) => d.code === "OCP_SYNTAX_CHECK_SKIPPED");
            assert.match(warning?.message ?? "", /needs Node >= 24\.16/);
          }
          const text = await run(shell, "openclaw-patch", ["verify", ...target]);
          assert.equal(text.code, 0, text.stdout);
          assert.match(text.stdout, /verify passed/);

          const reverted = await run(shell, "openclaw-patch", ["revert", ...target, "--json"]);
          assert.equal(reverted.code, 0, reverted.stdout + reverted.stderr);
          assert.equal(reverted.json.outcome, "reverted");
          assert.equal(await treeHash(root), await pristineTreeHash(release), "byte-identical after revert");
        });
      }
    });
  }

  // `npm i -g <git url>` itself cannot install a package that builds: npm links the global install to
  // its temporary clone, which it then deletes (npm/cli#6984, #8440, open). `npm pack <git url>` runs
  // `prepare` in the clone with its devDependencies, so packing first and installing the tarball works.
  test("from a git URL: npm pack git+…#commit, then npm i -g of that tarball", { skip: full ? false : "full lane only (npm run test:install)" }, async (t) => {
    const dir = await scratch("install-git");
    const shell = await operatorShell(await ensureNode(CURRENT_NODE_VERSION), dir);
    const work = path.join(dir, "work");
    await fs.mkdir(work);
    const packedFromGit = await run(shell, "npm", ["pack", `git+file://${packed.clone}#${packed.commit}`], work);
    assert.equal(packedFromGit.code, 0, packedFromGit.stdout + packedFromGit.stderr);
    const tarball = path.join(work, packedFromGit.stdout.trim().split("\n").pop()!);
    const installed = await run(shell, "npm", ["i", "-g", tarball], work);
    assert.equal(installed.code, 0, installed.stdout + installed.stderr);
    t.diagnostic(`npm pack git+file://…: ${(packedFromGit.ms / 1000).toFixed(1)} s, npm i -g of its tarball: ${(installed.ms / 1000).toFixed(1)} s`);
    const version = await run(shell, "openclaw-patch", ["--version"]);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), PACKAGE.version);
    const root = (await run(shell, "npm", ["root", "-g"])).stdout.trim();
    const shipped = await fs.readdir(path.join(root, PACKAGE.name, "build"));
    assert.deepEqual(shipped.sort(), ["patches", "runtime", "src"]);
  });
});

function output(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 << 20, timeout: 5 * 60_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}
