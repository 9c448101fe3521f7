import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scrubAllPatterns, scrubbedLabel, scrubbedMessage, scrubbedReason, scrubText } from "../../src/runtime/tracing/scrub.js";

/** Pieces that each trip, or nearly trip, one of the scrubber's patterns, and plain filler. */
const FRAGMENTS = [
  "token", "Token", "TOKEN", "secret", "passwd", "password", "Passphrase", "pwd", "api_key", "apikey", "api-key", "Auth",
  "authorization", "session", "cookie", "credential", "signature", "Bearer", "basic", "Digest", "eyJ", "eyJhbGciOiJ",
  "deadbeefdeadbee", "deadbeefdeadbeef", "0123456789ABCDEF0", "QWxhZGRpbjpvcGVuIHNlc2Ft", "QWxhZGRpbjpvcGVuIHNlc2", "abcdefghijklmnopqrstuvwx",
  "=", ":", " ", "  ", ".", ",", ";", "&", "'", '"', "-", "_", "/", "+", "==", "x", "openclaw-control-ui", "webchat",
  "2026.3.24", "linux", "operator", "service restart", "going away", "é", "\u00e9",
];

/** A deterministic generator (mulberry32), so a failure names a string that can be reproduced. */
function randomTexts(count: number, seed: number): string[] {
  let state = seed;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 6) }, () => FRAGMENTS[Math.floor(next() * FRAGMENTS.length)]).join(""));
}

describe("scrubbing free text for the trace", () => {
  it("keeps ordinary close reasons and error messages", () => {
    for (const text of ["slow consumer", "service restart", "going away", "Invalid WebSocket frame: invalid status code 1005", "read ECONNRESET", "conn 17 heartbeat-timeout"]) {
      assert.equal(scrubText(text), text);
    }
  });

  it("removes key=value secrets, auth schemes and anything after password", () => {
    assert.equal(scrubText("bad ?token=abc&x=1"), "bad ?token=[redacted]&x=1");
    assert.equal(scrubText("access_token: 'q w'"), "access_token: [redacted]");
    assert.equal(scrubText("Authorization=xyz, api-key=k1"), "Authorization=[redacted], api-key=[redacted]");
    assert.equal(scrubText("got Bearer abc.def and Basic dXNlcg"), "got Bearer [redacted] and Basic [redacted]");
    assert.equal(scrubText("wrong password hunter2 for bob"), "wrong password [redacted]");
    assert.equal(scrubText("session=s1; cookie=c2"), "session=[redacted]; cookie=[redacted]");
  });

  it("removes long hex and base64 runs", () => {
    assert.equal(scrubText("id deadbeefdeadbeef00 end"), "id [redacted] end");
    assert.equal(scrubText("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2ln end"), "jwt [redacted] end");
    assert.equal(scrubText("k QWxhZGRpbjpvcGVuIHNlc2FtZQ=="), "k [redacted]");
  });

  it("its shortcut for harmless text changes nothing: same result as running every pattern", () => {
    for (const text of randomTexts(20_000, 0x0c1a)) assert.equal(scrubText(text), scrubAllPatterns(text), JSON.stringify(text));
  });

  it("truncates reasons to 120 and messages to 200 characters, labels to 64", () => {
    assert.equal(scrubbedReason("r ".repeat(62)).length, 120);
    assert.equal(scrubbedMessage("m ".repeat(500)).length, 200);
    assert.equal(scrubbedLabel("ab ".repeat(40))!.length, 64);
    assert.equal(scrubbedLabel(42), undefined);
  });
});
