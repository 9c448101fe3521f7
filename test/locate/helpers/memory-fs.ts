import type { PlatformPath } from "node:path";
import type { LocateFs } from "../../../src/locate/env.js";

type Node = { kind: "file"; path: string; content: string } | { kind: "dir"; path: string } | { kind: "symlink"; path: string; target: string };

const MAX_LINK_HOPS = 40;

function fsError(code: string, file: string): Error {
  return Object.assign(new Error(`${code}: ${file}`), { code });
}

/**
 * An in-memory file system keyed by the paths of the given flavour, so Windows layouts can be
 * tested on any host. Windows lookups ignore case and return the stored spelling, like NTFS.
 */
export class MemoryFs implements LocateFs {
  private readonly nodes = new Map<string, Node>();

  constructor(private readonly path: PlatformPath) {}

  file(file: string, content: string): this {
    const normalized = this.path.normalize(file);
    this.ensureDir(this.path.dirname(normalized));
    this.nodes.set(this.key(normalized), { kind: "file", path: normalized, content });
    return this;
  }

  dir(dir: string): this {
    this.ensureDir(this.path.normalize(dir));
    return this;
  }

  symlink(link: string, target: string): this {
    const normalized = this.path.normalize(link);
    this.ensureDir(this.path.dirname(normalized));
    this.nodes.set(this.key(normalized), { kind: "symlink", path: normalized, target });
    return this;
  }

  async readFile(file: string): Promise<string> {
    const node = this.resolve(file);
    if (node.kind !== "file") throw fsError("EISDIR", file);
    return node.content;
  }

  async stat(file: string): Promise<{ isFile(): boolean; isDirectory(): boolean; size: number }> {
    const node = this.resolve(file);
    const size = node.kind === "file" ? Buffer.byteLength(node.content) : 0;
    return { isFile: () => node.kind === "file", isDirectory: () => node.kind === "dir", size };
  }

  async realpath(file: string): Promise<string> {
    return this.resolve(file).path;
  }

  async readdir(dir: string): Promise<string[]> {
    const node = this.resolve(dir);
    if (node.kind !== "dir") throw fsError("ENOTDIR", dir);
    const dirKey = this.key(node.path);
    return [...this.nodes.values()]
      .filter((child) => child.path !== node.path && this.key(this.path.dirname(child.path)) === dirKey)
      .map((child) => this.path.basename(child.path));
  }

  private ensureDir(dir: string): void {
    let current = dir;
    for (let depth = 0; depth < 256; depth += 1) {
      const key = this.key(current);
      if (!this.nodes.has(key)) this.nodes.set(key, { kind: "dir", path: current });
      const parent = this.path.dirname(current);
      if (parent === current) return;
      current = parent;
    }
  }

  private key(file: string): string {
    const trimmed = file.length > this.path.parse(file).root.length ? file.replace(/[\\/]+$/, "") : file;
    return this.path.sep === "\\" ? trimmed.toLowerCase() : trimmed;
  }

  /** Follows links component by component, as the kernel does. */
  private resolve(file: string): Node {
    let pending = this.path.resolve(file);
    for (let hop = 0; hop < MAX_LINK_HOPS; hop += 1) {
      const { root } = this.path.parse(pending);
      const parts = pending.slice(root.length).split(/[\\/]+/).filter((part) => part !== "");
      let current = this.nodes.get(this.key(root));
      if (current === undefined) throw fsError("ENOENT", file);
      let restarted = false;
      for (let i = 0; i < parts.length; i += 1) {
        const child = this.nodes.get(this.key(this.path.join(current.path, parts[i] ?? "")));
        if (child === undefined) throw fsError("ENOENT", file);
        if (child.kind === "symlink") {
          const target = this.path.resolve(this.path.dirname(child.path), child.target);
          pending = this.path.join(target, ...parts.slice(i + 1));
          restarted = true;
          break;
        }
        if (child.kind === "file" && i < parts.length - 1) throw fsError("ENOTDIR", file);
        current = child;
      }
      if (!restarted) return current;
    }
    throw fsError("ELOOP", file);
  }
}
