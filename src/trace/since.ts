import { fail } from "../core/diagnostics.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };
const RELATIVE = /^(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d)$/i;
const TIME_OF_DAY = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
const DAY_MS = 86_400_000;

/**
 * `--since` accepts a duration back from now (`90s`, `15m`, `2h`, `1d`), a local time of day
 * (`12:03`, `12:03:01`: the most recent such moment) or a date (`2026-05-01`, `2026-05-01T12:00`).
 * Returns epoch ms.
 */
export function parseSince(text: string, now: number = Date.now()): number {
  const value = text.trim();
  const relative = RELATIVE.exec(value);
  if (relative !== null) return now - Number(relative[1]) * UNIT_MS[relative[2]!.toLowerCase()]!;
  const timeOfDay = TIME_OF_DAY.exec(value);
  if (timeOfDay !== null) {
    const [hours, minutes, seconds] = timeOfDay.slice(1, 4).map((part) => Number(part ?? 0)) as [number, number, number];
    const millis = Number((timeOfDay[4] ?? "0").padEnd(3, "0"));
    if (hours < 24 && minutes < 60 && seconds < 60) {
      const today = new Date(now);
      today.setHours(hours, minutes, seconds, millis);
      const at = today.getTime();
      return at > now ? at - DAY_MS : at;
    }
  }
  const absolute = Date.parse(value);
  if (value.length > 0 && Number.isFinite(absolute)) return absolute;
  fail(
    "OCP_BAD_OPTION",
    `--since ${JSON.stringify(text)} is neither a duration, a time of day nor a date`,
    "use e.g. --since 15m, --since 2h, --since 12:30 or --since 2026-05-01T12:00",
    { since: text },
  );
}
