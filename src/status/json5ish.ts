/**
 * OpenClaw reads openclaw.json as JSON5, and operators hand-edit it: comments, trailing commas,
 * unquoted keys and single-quoted strings are all common. This turns those into strict JSON and
 * parses it; anything stranger (hex numbers, Infinity, multi-line strings) gives undefined, and
 * the caller falls back to the next source of the setting.
 */
export function parseJson5ish(text: string): unknown {
  const json = toStrictJson(text.replace(/^\uFEFF/, ""));
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

const IDENTIFIER_START = /[A-Za-z_$]/;
const IDENTIFIER_PART = /[A-Za-z0-9_$]/;

function toStrictJson(text: string): string | undefined {
  let out = "";
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === "/" && next === "/") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? n : end;
    } else if (ch === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else if (ch === '"' || ch === "'") {
      const string = readString(text, i);
      if (string === undefined) return undefined;
      out += string.json;
      i = string.end;
    } else if (ch === "}" || ch === "]") {
      out = withoutTrailingComma(out) + ch;
      i++;
    } else if (IDENTIFIER_START.test(ch)) {
      let end = i + 1;
      while (end < n && IDENTIFIER_PART.test(text[end]!)) end++;
      const word = text.slice(i, end);
      out += isKeyPosition(text, end) ? JSON.stringify(word) : word;
      i = end;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function withoutTrailingComma(out: string): string {
  let last = out.length - 1;
  while (last >= 0 && /\s/.test(out[last]!)) last--;
  return out[last] === "," ? out.slice(0, last) + out.slice(last + 1) : out;
}

/** A bare word is a key when the next significant character is a colon. */
function isKeyPosition(text: string, from: number): boolean {
  const rest = /^\s*(.)/.exec(text.slice(from, from + 200));
  return rest?.[1] === ":";
}

/** Re-emits a single- or double-quoted JSON5 string as a JSON string. */
function readString(text: string, start: number): { json: string; end: number } | undefined {
  const quote = text[start];
  let value = "";
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === quote) return { json: JSON.stringify(value), end: i + 1 };
    if (ch === "\n") return undefined;
    if (ch !== "\\") {
      value += ch;
      continue;
    }
    const escaped = text[++i];
    if (escaped === undefined) return undefined;
    const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", f: "\f", v: "\v", "0": "\0" };
    if (escaped in simple) value += simple[escaped];
    else if (escaped === "u") {
      const hex = text.slice(i + 1, i + 5);
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) return undefined;
      value += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
    } else if (escaped === "\n") {
      // JSON5 line continuation: the newline is not part of the value.
    } else value += escaped;
  }
  return undefined;
}
