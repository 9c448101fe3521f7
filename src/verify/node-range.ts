/**
 * The part of npm's semver ranges a package.json `engines.node` uses (`||`, comparators, `^`, `~`,
 * x-ranges, hyphen ranges), read well enough to say whether a Node version may run a release.
 * Node versions have no prerelease tags, so none are modelled.
 */
export type Version = readonly [number, number, number];

interface Bound {
  version: Version;
  inclusive: boolean;
}

/** One `||` alternative: every version from `lower` up to `upper`. */
interface Interval {
  lower?: Bound;
  upper?: Bound;
}

export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Whether `version` is inside `range`; undefined when the range is beyond this reader. */
export function satisfiesRange(version: Version, range: string): boolean | undefined {
  const intervals = parseRange(range);
  if (intervals === undefined) return undefined;
  return intervals.some((interval) => inside(version, interval));
}

/** "24.16" for ">=24.16.0 <25 || >=26.1.0": the oldest Node the range admits, for a message. */
export function oldestAdmitted(range: string): string | undefined {
  const lowers = parseRange(range)?.map((interval) => interval.lower?.version ?? ([0, 0, 0] as const));
  if (!lowers || lowers.length === 0) return undefined;
  const [major, minor, patch] = lowers.reduce((a, b) => (compareVersions(a, b) <= 0 ? a : b));
  return patch === 0 ? `${major}.${minor}` : `${major}.${minor}.${patch}`;
}

function inside(version: Version, { lower, upper }: Interval): boolean {
  if (lower) {
    const c = compareVersions(version, lower.version);
    if (c < 0 || (c === 0 && !lower.inclusive)) return false;
  }
  if (upper) {
    const c = compareVersions(version, upper.version);
    if (c > 0 || (c === 0 && !upper.inclusive)) return false;
  }
  return true;
}

function parseRange(range: string): Interval[] | undefined {
  const intervals: Interval[] = [];
  for (const alternative of range.split("||")) {
    const interval = parseAlternative(alternative.trim());
    if (interval === undefined) return undefined;
    intervals.push(interval);
  }
  return intervals;
}

function parseAlternative(text: string): Interval | undefined {
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
  if (hyphen) {
    const from = comparatorInterval(">=", hyphen[1]!);
    const to = comparatorInterval("<=", hyphen[2]!);
    return from && to ? { ...from, ...to } : undefined;
  }
  // ">= 24.16.0" is written with a space now and then; glue each operator to its version.
  const comparators = text.replace(/(>=|<=|>|<|=|\^|~)\s+/g, "$1").split(/\s+/).filter(Boolean);
  const interval: Interval = {};
  for (const comparator of comparators) {
    const m = /^(>=|<=|>|<|=|\^|~)?(.*)$/.exec(comparator)!;
    const part = comparatorInterval(m[1] ?? "=", m[2]!);
    if (part === undefined) return undefined;
    if (part.lower && (!interval.lower || compareVersions(part.lower.version, interval.lower.version) > 0)) interval.lower = part.lower;
    if (part.upper && (!interval.upper || compareVersions(part.upper.version, interval.upper.version) < 0)) interval.upper = part.upper;
  }
  return interval;
}

/** A partial version such as "24", "24.16" or "24.x": the numbers given, and how many. */
function partial(text: string): { numbers: number[] } | undefined {
  const pieces = text.replace(/^v/, "").split(".");
  const numbers: number[] = [];
  for (const piece of pieces.slice(0, 3)) {
    if (/^[xX*]$/.test(piece)) break;
    if (!/^\d+$/.test(piece)) return undefined;
    numbers.push(Number(piece));
  }
  return { numbers };
}

function padded(numbers: readonly number[]): Version {
  return [numbers[0] ?? 0, numbers[1] ?? 0, numbers[2] ?? 0];
}

/** The first version past everything the partial version names: "24" → 25.0.0, "24.16" → 24.17.0. */
function pastPartial(numbers: readonly number[]): Version {
  if (numbers.length === 1) return [numbers[0]! + 1, 0, 0];
  if (numbers.length === 2) return [numbers[0]!, numbers[1]! + 1, 0];
  return [numbers[0]!, numbers[1]!, numbers[2]! + 1];
}

function comparatorInterval(operator: string, text: string): Interval | undefined {
  if (text === "" || /^[xX*]$/.test(text)) return {};
  const parsed = partial(text);
  if (parsed === undefined) return undefined;
  const { numbers } = parsed;
  if (numbers.length === 0) return {};
  const low: Bound = { version: padded(numbers), inclusive: true };
  const complete = numbers.length === 3;
  switch (operator) {
    case ">=":
      return { lower: low };
    case ">":
      return { lower: complete ? { version: low.version, inclusive: false } : { version: pastPartial(numbers), inclusive: true } };
    case "<":
      return { upper: { version: low.version, inclusive: false } };
    case "<=":
      return { upper: complete ? { version: low.version, inclusive: true } : { version: pastPartial(numbers), inclusive: false } };
    case "^": {
      const [major, minor] = low.version;
      const upper: Version = major > 0 || numbers.length === 1 ? [major + 1, 0, 0] : minor > 0 || numbers.length === 2 ? [0, minor + 1, 0] : pastPartial(numbers);
      return { lower: low, upper: { version: upper, inclusive: false } };
    }
    case "~":
      return { lower: low, upper: { version: numbers.length === 1 ? [low.version[0] + 1, 0, 0] : [low.version[0], low.version[1] + 1, 0], inclusive: false } };
    default:
      return complete ? { lower: low, upper: { version: low.version, inclusive: true } } : { lower: low, upper: { version: pastPartial(numbers), inclusive: false } };
  }
}
