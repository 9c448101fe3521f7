import fs from "node:fs/promises";
import path from "node:path";
import { sha256 } from "./hash.js";
import { OcpError, diagnostic } from "./diagnostics.js";
import { writeFileDurably } from "./fs-safe.js";

/**
 * How objects are laid out under the store's folder. "fanned" (`ab/abcd…`, the engine's backups)
 * keeps folders small; "flat" (`abcd…`) is the layout the hook's originals have always had on disk.
 */
export type ObjectLayout = "fanned" | "flat";

/** Content-addressed backups: original (and previous) file contents, named by their sha256. */
export class ObjectStore {
  constructor(
    readonly dir: string,
    readonly layout: ObjectLayout = "fanned",
  ) {}

  pathOf(hash: string): string {
    return this.layout === "flat" ? path.join(this.dir, hash) : path.join(this.dir, hash.slice(0, 2), hash);
  }

  async has(hash: string): Promise<boolean> {
    return fs.access(this.pathOf(hash)).then(
      () => true,
      () => false,
    );
  }

  /** Stores the bytes durably (fsync before rename) and returns their hash. */
  async put(data: Buffer): Promise<string> {
    const hash = sha256(data);
    const target = this.pathOf(hash);
    if (await this.has(hash)) return hash;
    await fs.mkdir(path.dirname(target), { recursive: true });
    await writeFileDurably(target, data, { mode: 0o600 });
    return hash;
  }

  /** The stored bytes, or undefined when they are missing or no longer hash to their name. */
  async find(hash: string): Promise<Buffer | undefined> {
    const data = await fs.readFile(this.pathOf(hash)).catch(() => undefined);
    return data !== undefined && sha256(data) === hash ? data : undefined;
  }

  /** Reads a backup and checks it still hashes to its name. */
  async get(hash: string, forFile: string): Promise<Buffer> {
    let data: Buffer;
    try {
      data = await fs.readFile(this.pathOf(hash));
    } catch {
      throw new OcpError(
        diagnostic("OCP_BACKUP_MISSING", `the backup of ${forFile} (sha256 ${hash.slice(0, 12)}…) is missing from ${this.dir}`, `restore the state folder from a backup, or reinstall this OpenClaw release (npm i -g openclaw@<version>) to get pristine files and then run \`openclaw-patch revert --forget\``, { file: forFile, sha256: hash, object: this.pathOf(hash) }),
      );
    }
    if (sha256(data) !== hash) {
      throw new OcpError(
        diagnostic("OCP_BACKUP_CORRUPT", `the backup of ${forFile} no longer matches its sha256 (${hash.slice(0, 12)}…)`, "the state folder was damaged; reinstall this OpenClaw release to get pristine files, then run `openclaw-patch revert --forget`", { file: forFile, sha256: hash, object: this.pathOf(hash) }),
      );
    }
    return data;
  }
}
