import type { Command } from "commander";
import { fail } from "../../core/diagnostics.js";
import type { CodeReportedAs } from "../../core/diagnostic-codes.js";
import { countOption, millisecondsOption, secondsOption, type Range } from "./option-values.js";

/**
 * Command-line options declared as data: each command has one table (option-tables.ts) that both
 * registers its flags with commander and parses their values, so every command validates the same
 * way, first thing, and a bad value is OCP_BAD_OPTION (exit 2) before anything is read or written.
 */

/** Turns the text given to a flag into its value, or throws a coded error. */
export type OptionParser<T> = (raw: string, flag: string) => T;

export interface OptionSpec<T = unknown> {
  /** commander's flags, e.g. "--wait <seconds>". */
  flags: string;
  description: string;
  /** What commander fills in when the flag is absent; it is parsed like a given value. */
  defaultText?: string;
  /** Also declares --no-<name> (the value false), with this description. */
  negation?: string;
  parse?: OptionParser<T>;
}

export type OptionTable = Readonly<Record<string, OptionSpec<any>>>;

/**
 * A parsed value: the parser's result; without a parser, the text of a flag that takes a value, or
 * true for a plain switch. A flag given without its optional value is true, a --no- flag false.
 */
type ValueOf<S> = (S extends { parse: OptionParser<infer T> } ? T : TextOf<S>) | GivenBare<S>;
type TextOf<S> = S extends { flags: `${string}<${string}` | `${string}[${string}` } ? string : boolean;
type GivenBare<S> = (S extends { flags: `${string}[${string}` } ? true : never) | (S extends { negation: string } ? false : never);

export type OptionValues<T extends OptionTable> = { [K in keyof T]?: ValueOf<T[K]> };

/** Options as commander (or a test) hands them over, before parsing. */
export type RawOptions<T extends OptionTable> = { [K in keyof T]?: TextOf<T[K]> | GivenBare<T[K]> };

export function declareOptions(command: Command, table: OptionTable): Command {
  for (const spec of Object.values(table)) {
    if (spec.defaultText === undefined) command.option(spec.flags, spec.description);
    else command.option(spec.flags, spec.description, spec.defaultText);
    if (spec.negation !== undefined) command.option(`--no-${longFlag(spec).slice(2)}`, spec.negation);
  }
  return command;
}

/** The one place option values are checked: every value a table has a parser for goes through it. */
export function parseOptions<T extends OptionTable>(table: T, given: object): OptionValues<T> {
  const raw = given as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    const value = raw[key];
    if (value === undefined) continue;
    values[key] = spec.parse !== undefined && (typeof value === "string" || typeof value === "number") ? spec.parse(String(value), longFlag(spec)) : value;
  }
  return values as OptionValues<T>;
}

function longFlag(spec: OptionSpec): string {
  return /--[a-z0-9-]+/.exec(spec.flags)?.[0] ?? spec.flags;
}

// ---------------------------------------------------------------- parsers

/** Seconds (fractions allowed) in range, as whole milliseconds. */
export function seconds(range: Range, example: string): OptionParser<number> {
  return (raw, flag) => secondsOption(flag, raw, range, example);
}

/** A whole number of milliseconds, 1 ms to a day. */
export function milliseconds(example: string | number): OptionParser<number> {
  return (raw, flag) => millisecondsOption(flag, raw, example);
}

/** A whole count in range. */
export function count(range: Range, what: string): OptionParser<number> {
  return (raw, flag) => countOption(flag, raw, range, what);
}

/** A folder or file: any text but an empty one (an empty --state-dir would write into the working folder). */
export function path(example: string): OptionParser<string> {
  return (raw, flag) => {
    if (raw.trim() === "") fail("OCP_BAD_OPTION", `${flag} needs a path, got ""`, `for example ${flag} ${example}`);
    return raw;
  };
}

/** One of a closed set of words. */
export function oneOf<W extends string>(
  words: readonly W[],
  refusal: { remedy: string; message?: (raw: string, flag: string) => string; code?: CodeReportedAs<"error"> },
): OptionParser<W> {
  return (raw, flag) => {
    const word = words.find((w) => w === raw);
    if (word !== undefined) return word;
    return fail(refusal.code ?? "OCP_BAD_OPTION", refusal.message?.(raw, flag) ?? `unknown ${flag} ${raw}; use one of ${words.join(", ")}`, refusal.remedy);
  };
}

/** A value another module owns the rule for (a port, a loopback host, a time), used as given. */
export function checkedBy<T>(check: (raw: string) => T): OptionParser<T> {
  return (raw) => check(raw);
}
