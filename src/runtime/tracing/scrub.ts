/**
 * Free text that reaches the trace file (close reasons, error messages, client labels) is written
 * by peers or by the gateway's auth code, so it may carry credentials. Everything is scrubbed
 * here, on the way out; headers and payloads are never recorded at all.
 */

export const REDACTED = "[redacted]";
export const MAX_REASON_CHARS = 120;
export const MAX_MESSAGE_CHARS = 200;
export const MAX_LABEL_CHARS = 64;
/** Scrubbing looks at a bounded prefix: an error message can be arbitrarily long. */
const MAX_SCANNED_CHARS = 2_000;

/** `token=…`, `api_key: …`, `Authorization=…`, `session="…"`: the key stays, the value goes. */
const SECRET_ASSIGNMENT =
  /\b([A-Za-z0-9_.-]*(?:token|secret|passw(?:or)?d|pwd|api[-_]?key|auth\w*|session|cookie|credential|signature)[A-Za-z0-9_.-]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;]+)/gi;
const AUTH_SCHEME = /\b(Bearer|Basic|Digest|Token)\s+[^\s,;]+/gi;
/** Whatever follows the word password is assumed to be one, however it was phrased. */
const PASSWORD_TAIL = /\b(passw(?:or)?d|passphrase)\b[\s\S]*$/i;
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const LONG_HEX = /\b[0-9a-fA-F]{16,}\b/g;
const LONG_BASE64 = /[A-Za-z0-9+/_-]{24,}={0,2}/g;

/**
 * Every word the patterns above key on (SECRET_ASSIGNMENT's, AUTH_SCHEME's, PASSWORD_TAIL's, a
 * JWT's head). With `hasKeyMaterialRun`, a superset of what they match: text that passes both
 * checks is returned as it is, which is nearly every client label and close reason. The combined
 * regex with the long character classes cost ~0.3 µs per label, the six replacements several.
 */
const SECRET_WORD = /token|secret|pass|pwd|api|auth|session|cookie|credential|signature|bearer|basic|digest|eyj/i;
const HEX_RUN = 16;
const BASE64_RUN = 24;

function isHexDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

function isBase64Char(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 43 || code === 47 || code === 95 || code === 45;
}

/** A run LONG_HEX or LONG_BASE64 could match. */
function hasKeyMaterialRun(text: string): boolean {
  let hex = 0;
  let base64 = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    hex = isHexDigit(code) ? hex + 1 : 0;
    base64 = isBase64Char(code) ? base64 + 1 : 0;
    if (hex >= HEX_RUN || base64 >= BASE64_RUN) return true;
  }
  return false;
}

function mayHoldSecret(text: string): boolean {
  return SECRET_WORD.test(text) || hasKeyMaterialRun(text);
}

/** A long base64 run with a digit, or a very long one, is treated as key material, not a word. */
function looksLikeKeyMaterial(run: string): boolean {
  return /[0-9]/.test(run) || run.length >= 32;
}

/** Every replacement, always run; `scrubText` skips them for text none of them could match. */
export function scrubAllPatterns(text: string): string {
  return text
    .replace(SECRET_ASSIGNMENT, (_match, key: string, separator: string) => `${key}${separator}${REDACTED}`)
    .replace(AUTH_SCHEME, (_match, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(PASSWORD_TAIL, (_match, word: string) => `${word} ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(LONG_HEX, REDACTED)
    .replace(LONG_BASE64, (run) => (looksLikeKeyMaterial(run) ? REDACTED : run));
}

export function scrubText(text: string): string {
  const scanned = text.length > MAX_SCANNED_CHARS ? text.slice(0, MAX_SCANNED_CHARS) : text;
  return mayHoldSecret(scanned) ? scrubAllPatterns(scanned) : scanned;
}

export function scrubbedReason(reason: string): string {
  return scrubText(reason).slice(0, MAX_REASON_CHARS);
}

export function scrubbedMessage(message: string): string {
  return scrubText(message).slice(0, MAX_MESSAGE_CHARS);
}

/** Short identity labels (client id, role, version): strings only, scrubbed and capped. */
export function scrubbedLabel(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length === 0) return undefined;
  return scrubText(value.slice(0, MAX_LABEL_CHARS * 2)).slice(0, MAX_LABEL_CHARS);
}
