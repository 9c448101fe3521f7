import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { NeedleGroups } from "../../src/core/needles.js";
import { listBundleFiles, prefilterFiles } from "../../src/core/scan.js";
import { WholeFileReader } from "../../src/core/whole-file-reader.js";
import { makeScratch } from "../support/packages.js";

const scratches: string[] = [];
after(async () => {
  for (const dir of scratches) await fs.rm(dir, { recursive: true, force: true });
});

async function tree(label: string, files: Record<string, string>): Promise<string> {
  const root = await makeScratch(`scan-${label}`);
  scratches.push(root);
  for (const [rel, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), text);
  }
  return root;
}

describe("bundle listing", () => {
  test("dist/**/*.{js,mjs,cjs} without dot entries, node_modules, dist/worker, dist/control-ui or links", async () => {
    const root = await tree("list", {
      "dist/a.js": "",
      "dist/b.mjs": "",
      "dist/c.cjs": "",
      "dist/d.ts": "",
      "dist/e.JS": "",
      "dist/sub/deep/f.js": "",
      "dist/.hidden/g.js": "",
      "dist/.h.js": "",
      "dist/extensions/x/node_modules/y/index.js": "",
      "dist/node_modules/z.js": "",
      "dist/worker/w.js": "",
      "dist/control-ui/assets/u.js": "",
      "dist/extensions/x/control-ui/kept.js": "",
      "dist/extensions/x/worker/kept.js": "",
      "lib/outside.js": "",
      "top.js": "",
    });
    await fs.symlink(path.join(root, "dist/sub"), path.join(root, "dist/linked-dir"));
    await fs.symlink(path.join(root, "dist/a.js"), path.join(root, "dist/linked-file.js"));
    assert.deepEqual(listBundleFiles(root), [
      "dist/a.js",
      "dist/b.mjs",
      "dist/c.cjs",
      "dist/extensions/x/control-ui/kept.js",
      "dist/extensions/x/worker/kept.js",
      "dist/sub/deep/f.js",
    ]);
  });

  test("a package without dist lists nothing", async () => {
    assert.deepEqual(listBundleFiles(await tree("empty", { "package.json": "{}" })), []);
  });
});

describe("prefilter", () => {
  const groups = [["attachGatewayWsConnectionHandler", "closed before connect conn="], ["liveReload", "noServer"], ["service restart", "1012"]];
  const naive = (text: string) => groups.some((g) => g.every((s) => text.includes(s)));

  test("matches exactly when one group is wholly present, whatever piece is searched first", () => {
    const needles = new NeedleGroups(groups);
    const texts = [
      "",
      "attachGatewayWsConnectionHandler closed before connect conn=",
      "attachGatewayWsConnectionHandler closed before connect conn",
      "WsConnectionHandler closed before connect conn=",
      "xattachGatewayWsConn attachGatewayWsConnectionHandler; 'closed before connect conn='",
      "liveReload ? new WebSocketServer({ noServer: true }) : null",
      "Reload noServer",
      "live Reload noServer",
      "c.socket.close(1012, \"service restart\")",
      "c.socket.close(101, \"service restart\")",
      "service restar 1012",
    ];
    for (const text of texts) assert.equal(needles.matches(Buffer.from(text)), naive(text), text);
  });

  test("keeps the files of a group, reads overrides instead of the disk, copies what it keeps", async () => {
    const root = await tree("prefilter", {
      "dist/a.js": "liveReload noServer",
      "dist/b.js": "liveReload only",
      "dist/c.js": "nothing here",
      "dist/d.js": "x".repeat(3 << 20) + " service restart 1012",
    });
    const overrides = new Map([["dist/c.js", Buffer.from("service restart 1012")]]);
    const hits = prefilterFiles(root, listBundleFiles(root), groups, overrides);
    assert.deepEqual(hits.map((h) => h.path), ["dist/a.js", "dist/c.js", "dist/d.js"]);
    assert.equal(hits[0]!.content.toString(), "liveReload noServer");
    assert.equal(hits[1]!.content, overrides.get("dist/c.js"));
    assert.equal(hits[2]!.content.length, (3 << 20) + " service restart 1012".length);
  });

  test("the reader grows past its buffer and returns each file whole", async () => {
    const big = "y".repeat(5000) + "end";
    const root = await tree("reader", { "big.txt": big, "small.txt": "small" });
    const reader = new WholeFileReader(1024);
    assert.equal(reader.read(path.join(root, "big.txt")).toString(), big);
    assert.equal(reader.read(path.join(root, "small.txt")).toString(), "small");
    assert.equal(reader.read(path.join(root, "big.txt")).toString(), big);
  });
});
