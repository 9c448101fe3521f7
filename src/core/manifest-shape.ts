/**
 * The full type check of an install record read from disk. JSON.parse alone let a record whose
 * `before` was missing or a string reach revert, which then failed with a TypeError (exit 70); every
 * field the code reads is checked here, so a hand-edited or damaged record is reported as corrupt.
 * Returns what is wrong, or undefined when the shape is right.
 */
export function manifestShapeProblem(value: Record<string, unknown>): string | undefined {
  if (typeof value.toolVersion !== "string") return "toolVersion is not a string";
  if (typeof value.root !== "string") return "root is not a string";
  if (typeof value.appliedAt !== "string") return "appliedAt is not a string";
  const release = value.release;
  if (!isRecord(release) || typeof release.version !== "string" || typeof release.source !== "string") return "release is not { version, source }";
  const stamp = value.releaseStamp;
  if (!isRecord(stamp) || typeof stamp.file !== "string" || !isCount(stamp.size) || !isTime(stamp.mtimeMs)) return "releaseStamp is not { file, size, mtimeMs }";
  if (!isRecord(value.config)) return "config is not an object";
  if (!isStringList(value.patchSet)) return "patchSet is not a list of patch ids";
  if (!Array.isArray(value.patches) || !value.patches.every(isRecord)) return "patches is not a list of objects";
  if (!Array.isArray(value.fixes) || !value.fixes.every(isRecord)) return "fixes is not a list of objects";
  if (!Array.isArray(value.files)) return "files is not a list";
  for (const [index, file] of value.files.entries()) {
    const problem = fileProblem(file);
    if (problem !== undefined) return `files[${index}]${isRecord(file) && typeof file.path === "string" ? ` (${file.path})` : ""}: ${problem}`;
  }
  return undefined;
}

function fileProblem(file: unknown): string | undefined {
  if (!isRecord(file)) return "not an object";
  if (typeof file.path !== "string") return "path is not a string";
  // `before` is null for a file apply added (the runtime), never absent: absent means damaged.
  if (!("before" in file)) return "before is missing (null for an added file)";
  if (file.before !== null && !isVersion(file.before)) return "before is neither null nor { sha256, size, mode }";
  if (!isVersion(file.after) || !isTime(file.after.mtimeMs)) return "after is not { sha256, size, mode, mtimeMs }";
  if (!isStringList(file.patches)) return "patches is not a list of patch ids";
  return undefined;
}

function isVersion(value: unknown): value is { sha256: string; size: number; mode: number; mtimeMs?: unknown } {
  return isRecord(value) && typeof value.sha256 === "string" && /^[0-9a-f]{64}$/.test(value.sha256) && isCount(value.size) && isCount(value.mode);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
