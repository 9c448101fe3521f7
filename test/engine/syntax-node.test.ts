import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { oldestAdmitted, satisfiesRange } from "../../src/verify/node-range.js";
import { chooseSyntaxNode, type SyntaxNodeInput } from "../../src/verify/syntax-node.js";
import { scratchFolders } from "../support/packages.js";

const scratch = scratchFolders();
const ENGINES_9X = ">=24.16.0 <25 || >=26.1.0";

describe("engines.node ranges", () => {
  test("the ranges OpenClaw releases state", () => {
    const cases: [string, [number, number, number], boolean][] = [
      [ENGINES_9X, [20, 20, 2], false],
      [ENGINES_9X, [24, 15, 0], false],
      [ENGINES_9X, [24, 16, 0], true],
      [ENGINES_9X, [25, 9, 0], false],
      [ENGINES_9X, [26, 1, 0], true],
      [">=22.22.3 <23 || >=24.15 <25 || >=25.9", [22, 22, 3], true],
      [">=22.22.3 <23 || >=24.15 <25 || >=25.9", [24, 14, 0], false],
      [">=22.12", [20, 19, 0], false],
      [">= 22.14.0", [22, 14, 0], true],
      ["^20.19.0 || ^22 || ^24", [21, 0, 0], false],
      ["^20.19.0 || ^22 || ^24", [22, 0, 0], true],
      ["~24.16", [24, 17, 0], false],
      ["20.x || 22.x", [22, 5, 1], true],
      ["22.0.0 - 24", [24, 99, 0], true],
      ["22.0.0 - 24", [25, 0, 0], false],
      [">24", [24, 9, 0], false],
      ["*", [8, 0, 0], true],
    ];
    for (const [range, version, expected] of cases) assert.equal(satisfiesRange(version, range), expected, `${version.join(".")} in ${range}`);
    assert.equal(satisfiesRange([24, 0, 0], "latest"), undefined, "a range this reader does not know is no verdict");
    assert.equal(oldestAdmitted(ENGINES_9X), "24.16");
    assert.equal(oldestAdmitted(">=22.22.3 <23 || >=24.15 <25"), "22.22.3");
  });
});

/** A stand-in Node: answers --version with `version`, passes anything else to this Node. */
async function fakeNode(binary: string, version: string): Promise<string> {
  await fs.mkdir(path.dirname(binary), { recursive: true });
  await fs.writeFile(binary, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo ${version}; exit 0; fi\nexec "${process.execPath}" "$@"\n`, { mode: 0o755 });
  return binary;
}

async function fakeRelease(dir: string, engines: string | null): Promise<string> {
  const root = path.join(dir, "prefix", "lib", "node_modules", "openclaw");
  await fs.mkdir(root, { recursive: true });
  await fs.writeFile(path.join(root, "package.json"), JSON.stringify({ name: "openclaw", version: "2026.9.3", ...(engines ? { engines: { node: engines } } : {}) }));
  return root;
}

async function setting(engines: string | null = ENGINES_9X): Promise<{ dir: string; input: SyntaxNodeInput }> {
  const dir = await scratch("syntax-node");
  const home = path.join(dir, "home");
  await fs.mkdir(home, { recursive: true });
  const execPath = await fakeNode(path.join(dir, "system", "node"), "v20.20.2");
  return { dir, input: { realRoot: await fakeRelease(dir, engines), env: { PATH: path.join(dir, "empty") }, homedir: home, platform: "linux", execPath } };
}

describe("the Node verify checks syntax with", { skip: process.platform === "win32" ? "fake Nodes are sh scripts" : false }, () => {
  test("OpenClaw's installer Node that the engines admit, newest first, over this process's older Node", async () => {
    const { dir, input } = await setting();
    const tools = path.join(input.homedir, ".openclaw", "tools");
    await fakeNode(path.join(tools, "node-v22.22.0", "bin", "node"), "v22.22.0");
    const wanted = await fakeNode(path.join(tools, "node-v24.16.0", "bin", "node"), "v24.16.0");
    await fakeNode(path.join(tools, "node-v24.9.0", "bin", "node"), "v24.9.0");
    const choice = await chooseSyntaxNode(input);
    assert.equal(choice.node?.binary, wanted);
    assert.equal(choice.node?.satisfiesEngines, true);
    assert.equal(choice.needs, "24.16");
    assert.ok(choice.considered.some((n) => n.binary === input.execPath && n.satisfiesEngines === false));
    assert.ok(dir);
  });

  test("the service's Node comes first; one that vanished is a warning and the next Node is used", async () => {
    const { dir, input } = await setting();
    const serviceNode = await fakeNode(path.join(dir, "opt", "node24", "bin", "node"), "v24.21.0");
    const chosen = await chooseSyntaxNode({ ...input, service: { file: "/u/openclaw-gateway.service", nodeBinary: serviceNode } });
    assert.equal(chosen.node?.binary, serviceNode);
    assert.match(chosen.node!.source, /openclaw-gateway\.service/);

    const prefixNode = await fakeNode(path.join(dir, "prefix", "bin", "node"), "v26.1.0");
    const missing = await chooseSyntaxNode({ ...input, service: { file: "/u/openclaw-gateway.service", nodeBinary: path.join(dir, "gone", "node") } });
    assert.deepEqual(missing.diagnostics.map((d) => d.code), ["OCP_SERVICE_NODE_MISSING"]);
    assert.equal(missing.node?.binary, prefixNode, "the Node of the npm prefix the package is installed in");
  });

  test("the Node beside an `openclaw` on PATH", async () => {
    const { dir, input } = await setting();
    const bin = path.join(dir, "shim-bin");
    await fakeNode(path.join(bin, "openclaw"), "v0.0.0");
    const beside = await fakeNode(path.join(bin, "node"), "v24.18.0");
    const choice = await chooseSyntaxNode({ ...input, env: { PATH: `${path.join(dir, "empty")}:${bin}` } });
    assert.equal(choice.node?.binary, beside);
    assert.match(choice.node!.source, /beside .*openclaw/);
  });

  test("no Node the engines admit: the newest at hand, marked as outside the engines", async () => {
    const { dir, input } = await setting();
    const node22 = await fakeNode(path.join(input.homedir, ".openclaw", "tools", "node-v22.22.0", "bin", "node"), "v22.22.0");
    const choice = await chooseSyntaxNode(input);
    assert.equal(choice.node?.binary, node22);
    assert.equal(choice.node?.satisfiesEngines, false);
    assert.equal(choice.considered.length, 2);
    assert.ok(dir);
  });

  test("a release without engines: the first Node at hand", async () => {
    const { input } = await setting(null);
    const choice = await chooseSyntaxNode(input);
    assert.equal(choice.node?.binary, input.execPath);
    assert.equal(choice.node?.satisfiesEngines, null);
    assert.equal(choice.engines, undefined);
  });

  test("--node is used as given; one that cannot run leaves no Node, with the reason", async () => {
    const { dir, input } = await setting();
    await fakeNode(path.join(input.homedir, ".openclaw", "tools", "node-v24.16.0", "bin", "node"), "v24.16.0");
    const given = await fakeNode(path.join(dir, "mine", "node"), "v20.19.0");
    const chosen = await chooseSyntaxNode({ ...input, option: given });
    assert.equal(chosen.node?.binary, given);
    assert.equal(chosen.node?.source, "--node");
    assert.equal(chosen.node?.satisfiesEngines, false);

    const none = await chooseSyntaxNode({ ...input, option: path.join(dir, "no-such-node") });
    assert.equal(none.node, undefined);
    assert.equal(none.considered[0]?.error, "ENOENT");
  });
});
