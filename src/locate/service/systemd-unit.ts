/**
 * Just enough of systemd's unit syntax to read ExecStart= (systemd.syntax(7), systemd.service(5)):
 * [Service] section, backslash line continuation, quoting and C escapes, `%h`/`%%` specifiers,
 * `${VAR}` from the unit's own Environment= lines, and drop-ins where an empty ExecStart= resets.
 */
export interface SystemdExecStarts {
  /** Effective ExecStart= command lines, each split into arguments, prefix characters removed. */
  commands: string[][];
}

const EXEC_PREFIX = /^[@\-:+!|]+/;
const MAX_UNIT_LINES = 10_000;

/** `texts` is the unit file followed by its drop-ins in the order systemd applies them. */
export function parseSystemdExecStarts(texts: readonly string[], homedir: string): SystemdExecStarts {
  const environment: Record<string, string> = {};
  let rawCommands: string[] = [];
  for (const text of texts) {
    for (const { key, value } of serviceAssignments(text)) {
      if (key === "Environment") {
        for (const word of splitWords(value, homedir, {})) {
          const eq = word.indexOf("=");
          if (eq > 0) environment[word.slice(0, eq)] = word.slice(eq + 1);
        }
      } else if (key === "ExecStart") {
        rawCommands = value.trim() === "" ? [] : [...rawCommands, value];
      }
    }
  }
  const commands = rawCommands
    .map((value) => splitWords(value.trim().replace(EXEC_PREFIX, ""), homedir, environment))
    .filter((argv) => argv.length > 0);
  return { commands };
}

function* serviceAssignments(text: string): Generator<{ key: string; value: string }> {
  let section = "";
  const lines = joinContinuations(text.split(/\r?\n/).slice(0, MAX_UNIT_LINES));
  for (const rawLine of lines) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    if (line.startsWith("[") && line.endsWith("]")) {
      section = line.slice(1, -1).trim();
      continue;
    }
    if (section !== "Service") continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    yield { key: line.slice(0, eq).trim(), value: line.slice(eq + 1) };
  }
}

function joinContinuations(lines: string[]): string[] {
  const joined: string[] = [];
  let pending = "";
  for (const line of lines) {
    const trimmedEnd = line.replace(/\s+$/, "");
    const isComment = pending === "" && /^\s*[#;]/.test(line);
    if (!isComment && trimmedEnd.endsWith("\\")) {
      pending += `${trimmedEnd.slice(0, -1)} `;
      continue;
    }
    joined.push(pending + line);
    pending = "";
  }
  if (pending !== "") joined.push(pending);
  return joined;
}

const C_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", s: " ", "\\": "\\", '"': '"', "'": "'" };

function splitWords(value: string, homedir: string, environment: Record<string, string>): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i] ?? "";
    if (ch === "\\" && i + 1 < value.length) {
      const next = value[i + 1] ?? "";
      if (next === "x" && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 2, i + 4))) {
        current += String.fromCharCode(Number.parseInt(value.slice(i + 2, i + 4), 16));
        i += 3;
      } else {
        current += C_ESCAPES[next] ?? next;
        i += 1;
      }
      inWord = true;
    } else if (quote !== null) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words.map((word) => expandWord(word, homedir, environment));
}

function expandWord(word: string, homedir: string, environment: Record<string, string>): string {
  return word
    .replace(/%([%h])/g, (_whole, spec: string) => (spec === "h" ? homedir : "%"))
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => environment[name] ?? whole);
}
