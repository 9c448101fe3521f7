/**
 * Reads the Scheduled Task script OpenClaw writes on Windows (`~/.openclaw/gateway.cmd`):
 * `@echo off`, `rem …`, `cd /d …`, `set "K=V"` lines, then the command line
 * `node … dist\index.js gateway --port …` (9.x appends `--task-supervisor < NUL`).
 */
export interface GatewayCmd {
  /** Command lines, last first, each split into arguments with %VAR% expanded. */
  commands: string[][];
}

const SKIPPED_LINE = /^(?:@?echo\b|@?rem\b|::|:[A-Za-z_]|@?setlocal\b|@?endlocal\b|@?title\b|@?chcp\b|@?exit\b|@?cd\b|@?pushd\b|@?if\b|>|\d>)/i;
const MAX_SCRIPT_LINES = 10_000;

export function parseGatewayCmd(text: string, scriptDir: string, env: Record<string, string | undefined>): GatewayCmd {
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) vars[key.toUpperCase()] = value;

  const commands: string[][] = [];
  for (const rawLine of text.split(/\r?\n/).slice(0, MAX_SCRIPT_LINES)) {
    const line = rawLine.trim();
    if (line === "" || SKIPPED_LINE.test(line)) continue;
    const assignment = parseSetLine(line);
    if (assignment !== null) {
      if (assignment.key !== "") vars[assignment.key.toUpperCase()] = expandCmd(assignment.value, vars, scriptDir);
      continue;
    }
    const argv = splitCmdLine(line.replace(/^@/, "").replace(/^call\s+/i, "")).map((arg) => expandCmd(arg, vars, scriptDir));
    if (argv.length > 0) commands.push(argv);
  }
  return { commands: commands.reverse() };
}

/** null: not a `set` line; key "": a `set` we do not track (`set /a`, a bare `set`). */
function parseSetLine(line: string): { key: string; value: string } | null {
  const match = /^@?set\s+(.*)$/i.exec(line);
  if (match?.[1] === undefined) return null;
  let body = match[1].trim();
  if (body.startsWith("/")) return { key: "", value: "" };
  if (body.startsWith('"') && body.endsWith('"') && body.length >= 2) body = body.slice(1, -1);
  const eq = body.indexOf("=");
  if (eq <= 0) return { key: "", value: "" };
  return { key: unescapeCaret(body.slice(0, eq)), value: unescapeCaret(body.slice(eq + 1)) };
}

/** cmd splits on whitespace outside double quotes; `\"` inside quotes is how OpenClaw escapes a quote. */
function splitCmdLine(line: string): string[] {
  const args: string[] = [];
  let current = "";
  let inArg = false;
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i] ?? "";
    if (quoted) {
      if (ch === "\\" && line[i + 1] === '"') {
        current += '"';
        i += 1;
      } else if (ch === '"') {
        quoted = false;
      } else {
        current += ch;
      }
    } else if (ch === '"') {
      quoted = true;
      inArg = true;
    } else if (ch === "<" || ch === ">" || ch === "|" || ch === "&") {
      // Redirections and command chaining end the program's own arguments.
      break;
    } else if (ch === " " || ch === "\t") {
      if (inArg) args.push(current);
      current = "";
      inArg = false;
    } else {
      current += ch;
      inArg = true;
    }
  }
  if (inArg) args.push(current);
  return args.map(unescapeCaret);
}

function unescapeCaret(text: string): string {
  return text.replace(/\^([\^!"&|<>()])/g, "$1");
}

function expandCmd(text: string, vars: Record<string, string>, scriptDir: string): string {
  const dirWithSep = scriptDir.endsWith("\\") ? scriptDir : `${scriptDir}\\`;
  return text.replace(/%%|%~dp0|%([A-Za-z_][A-Za-z0-9_()]*)%/gi, (whole, name: string | undefined) => {
    if (whole === "%%") return "%";
    if (name === undefined) return dirWithSep;
    return vars[name.toUpperCase()] ?? whole;
  });
}
