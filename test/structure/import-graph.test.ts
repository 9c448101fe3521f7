import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

// Every folder of src/ reads top-down: no file imports, by a chain of imports, a file that imports it.
// Type-only imports count too: a loop of types is still a loop for whoever reads the code.

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../src");

/**
 * Relative specifiers of `import … from`, `import type … from`, `export … from`, bare `import "…"`,
 * `import("…")` and module augmentations (`declare module "…"`).
 */
const RELATIVE_SPECIFIER = /(?:\b(?:import|export)\b[^"'`;]*?\bfrom\s*|\bimport\s*\(?\s*|\bdeclare\s+module\s+)["'](\.{1,2}\/[^"']+)["']/g;

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))
    .map((name) => path.join(dir, name))
    .sort();
}

/** The file a specifier names: NodeNext imports name the emitted `.js`, written next to its `.ts`. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const target = path.resolve(path.dirname(from), specifier);
  const candidates = [target.replace(/\.js$/, ".ts"), target, `${target}.ts`, path.join(target, "index.ts")];
  return candidates.find((candidate) => candidate.endsWith(".ts") && fs.existsSync(candidate));
}

function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = withoutComments(fs.readFileSync(file, "utf8"));
    const targets = new Set<string>();
    for (const match of source.matchAll(RELATIVE_SPECIFIER)) {
      const target = resolveSpecifier(file, match[1]!);
      if (target !== undefined) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** Strongly connected components of more than one file, or of one file importing itself (Tarjan). */
function importLoops(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) loops.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return loops;
}

describe("import graph of src/", () => {
  test("reads every kind of relative import, type-only and re-exports included", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocp-import-graph-"));
    try {
      const write = (name: string, text: string): string => {
        const file = path.join(dir, name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        return file;
      };
      const a = write("a.ts", 'import type {\n  B,\n} from "./b.js";\n// import { x } from "./c.js";\n');
      const b = write("b.ts", 'export { c } from "./sub/c.js";\n');
      const c = write("sub/c.ts", 'declare module "../a.js" {}\nexport const c = await import("../d.js");\n');
      const d = write("d.ts", 'import "./a.js";\n');
      const graph = importGraph([a, b, c, d]);
      assert.deepEqual(graph.get(a), [b]);
      assert.deepEqual(graph.get(b), [c]);
      assert.deepEqual(graph.get(c), [a, d].sort());
      assert.deepEqual(graph.get(d), [a]);
      assert.deepEqual(importLoops(graph), [[a, b, c, d].sort()]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("has no import loop", () => {
    const graph = importGraph(sourceFiles(SRC));
    assert.ok(graph.size > 100, `expected the whole of src/ under ${SRC}, found ${graph.size} files`);
    const loops = importLoops(graph).map((loop) => `${loop.length} files: ${loop.map((file) => path.relative(SRC, file)).join(" ")}`);
    assert.deepEqual(loops, [], `import loops in src/:\n${loops.join("\n")}`);
  });
});

