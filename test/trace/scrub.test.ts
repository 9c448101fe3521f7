import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scrubbedLabel, scrubbedMessage, scrubbedReason, scrubText } from "../../src/runtime/trace-scrub.js";

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

  it("truncates reasons to 120 and messages to 200 characters, labels to 64", () => {
    assert.equal(scrubbedReason("r ".repeat(62)).length, 120);
    assert.equal(scrubbedMessage("m ".repeat(500)).length, 200);
    assert.equal(scrubbedLabel("ab ".repeat(40))!.length, 64);
    assert.equal(scrubbedLabel(42), undefined);
  });
});
