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
 * Matches wherever any pattern above could: a secret word, a scheme, a JWT head, or a run long
 * enough to be key material. Text it does not match is returned as it is, which is nearly every
 * client label and close reason; one test instead of six replacements per label.
 */
const MAY_HOLD_SECRET =
  /token|secret|passw|passphrase|pwd|api|auth|session|cookie|credential|signature|bearer|basic|digest|eyJ|[0-9a-f]{16}|[A-Za-z0-9+/_-]{24}/i;

/** A long base64 run with a digit, or a very long one, is treated as key material, not a word. */
function looksLikeKeyMaterial(run: string): boolean {
  return /[0-9]/.test(run) || run.length >= 32;
}

export function scrubText(text: string): string {
  const scanned = text.length > MAX_SCANNED_CHARS ? text.slice(0, MAX_SCANNED_CHARS) : text;
  if (!MAY_HOLD_SECRET.test(scanned)) return scanned;
  return scanned
    .replace(SECRET_ASSIGNMENT, (_match, key: string, separator: string) => `${key}${separator}${REDACTED}`)
    .replace(AUTH_SCHEME, (_match, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(PASSWORD_TAIL, (_match, word: string) => `${word} ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(LONG_HEX, REDACTED)
    .replace(LONG_BASE64, (run) => (looksLikeKeyMaterial(run) ? REDACTED : run));
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
