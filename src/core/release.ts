/**
 * OpenClaw versions look like 2026.3.24, with re-releases as 2026.7.1-2 and prereleases as
 * 2026.3.24-beta.1. Comparison is numeric on year.month.day, then re-release number; a prerelease
 * sorts before its release.
 */
export interface ReleaseVersion {
  raw: string;
  parts: [number, number, number];
  /** Re-release number from a "-N" suffix, 0 if none. */
  revision: number;
  /** Prerelease tag ("beta.1"), undefined for a release. */
  prerelease?: string;
}

const VERSION = /^(\d+)\.(\d+)\.(\d+)(?:-(\d+))?(?:-([0-9A-Za-z.-]+))?$/;

export function parseRelease(raw: string): ReleaseVersion | undefined {
  const m = VERSION.exec(raw.trim());
  if (!m) {
    const pre = /^(\d+)\.(\d+)\.(\d+)-([A-Za-z][0-9A-Za-z.-]*)$/.exec(raw.trim());
    if (!pre) return undefined;
    return { raw, parts: [Number(pre[1]), Number(pre[2]), Number(pre[3])], revision: 0, prerelease: pre[4] };
  }
  const version: ReleaseVersion = {
    raw,
    parts: [Number(m[1]), Number(m[2]), Number(m[3])],
    revision: m[4] === undefined ? 0 : Number(m[4]),
  };
  if (m[5] !== undefined) version.prerelease = m[5];
  return version;
}

export function compareReleases(a: ReleaseVersion, b: ReleaseVersion): number {
  for (let i = 0; i < 3; i++) {
    const d = a.parts[i]! - b.parts[i]!;
    if (d !== 0) return d;
  }
  if (a.prerelease !== b.prerelease) {
    if (a.prerelease === undefined) return 1;
    if (b.prerelease === undefined) return -1;
  }
  return a.revision - b.revision;
}

/** True when `version` lies in [from, to] (either bound optional, both inclusive, on year.month.day). */
export function releaseInRange(version: ReleaseVersion, range: { from?: string; to?: string }): boolean {
  const day = (v: ReleaseVersion) => v.parts[0] * 10_000 + v.parts[1] * 100 + v.parts[2];
  const here = day(version);
  if (range.from !== undefined && here < day(mustParse(range.from))) return false;
  if (range.to !== undefined && here > day(mustParse(range.to))) return false;
  return true;
}

function mustParse(raw: string): ReleaseVersion {
  const parsed = parseRelease(raw);
  if (!parsed) throw new Error(`invalid release bound ${raw}`);
  return parsed;
}

/**
 * 2026.2.2 to 2026.3.13 ship the gateway chunk twice (one copy per entry graph); both run, depending
 * on how the gateway was started, so every site is expected in both.
 */
export function gatewayChunkCopies(version: ReleaseVersion): number {
  return releaseInRange(version, { from: "2026.2.2", to: "2026.3.13" }) ? 2 : 1;
}
