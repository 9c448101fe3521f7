import type { PlatformPath } from "node:path";

export interface ScriptContext {
  /** Folder of the script as invoked: what `$basedir`, `%dp0%` and `$PSScriptRoot` stand for. */
  scriptDir: string;
  homedir: string;
  path: PlatformPath;
  /** Variables `%NAME%` may refer to in .cmd files (the environment plus the script's own `set` lines). */
  vars?: Record<string, string | undefined>;
}

/** Quoted strings and bare words; close enough to sh, cmd and PowerShell for spotting paths. */
const TOKEN = /"([^"\r\n]*)"|'([^'\r\n]*)'|([^\s"'`;&|<>()=]+)/g;

/**
 * Absolute paths mentioned in a launcher script (npm, pnpm and bun shims, the installer's
 * `~/.openclaw/bin/openclaw` wrapper, a service wrapper), with the shim placeholders filled in.
 * No script is executed; anything that is not a literal path is simply not found.
 */
export function absolutePathsInScript(text: string, context: ScriptContext): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(TOKEN)) {
    const raw = match[1] ?? match[2] ?? match[3];
    if (raw === undefined || raw === "") continue;
    const expanded = expandPlaceholders(raw, context);
    if (expanded !== null && context.path.isAbsolute(expanded)) found.add(context.path.normalize(expanded));
  }
  return [...found];
}

export function expandPlaceholders(token: string, { scriptDir, homedir, path, vars }: ScriptContext): string | null {
  const dirWithSep = scriptDir.endsWith(path.sep) ? scriptDir : scriptDir + path.sep;
  let value = token
    .replace(/%~dp0|%dp0%/gi, dirWithSep)
    .replace(/\$\{basedir\}|\$basedir\b/g, scriptDir)
    .replace(/\$\{PSScriptRoot\}|\$PSScriptRoot\b/gi, scriptDir)
    .replace(/\$\{HOME\}|\$HOME\b/g, homedir);
  if (value.startsWith("~/") || value === "~") value = homedir + value.slice(1);
  value = value.replace(/%([A-Za-z_][A-Za-z0-9_]*)%/g, (whole, name: string) => lookup(vars, name) ?? whole);
  // A placeholder we could not fill means the path is unknown; better no answer than a wrong one.
  return /%[A-Za-z_~]|\$[A-Za-z_{(]/.test(value) ? null : value;
}

function lookup(vars: Record<string, string | undefined> | undefined, name: string): string | undefined {
  if (vars === undefined) return undefined;
  const exact = vars[name];
  if (exact !== undefined) return exact;
  const upper = name.toUpperCase();
  for (const [key, value] of Object.entries(vars)) if (key.toUpperCase() === upper) return value;
  return undefined;
}
