import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isOcpError } from "../../src/core/diagnostics.js";
import { parseSince } from "../../src/trace/since.js";

describe("--since", () => {
  const now = new Date(2026, 4, 1, 12, 0, 0).getTime();

  it("accepts durations back from now", () => {
    assert.equal(parseSince("90s", now), now - 90_000);
    assert.equal(parseSince("15m", now), now - 15 * 60_000);
    assert.equal(parseSince("15min", now), now - 15 * 60_000);
    assert.equal(parseSince("2h", now), now - 2 * 3_600_000);
    assert.equal(parseSince("1.5d", now), now - 1.5 * 86_400_000);
  });

  it("reads a time of day as its most recent occurrence, in local time", () => {
    assert.equal(parseSince("11:30", now), new Date(2026, 4, 1, 11, 30).getTime());
    assert.equal(parseSince("11:30:05.25", now), new Date(2026, 4, 1, 11, 30, 5, 250).getTime());
    assert.equal(parseSince("13:00", now), new Date(2026, 3, 30, 13, 0).getTime(), "a later time means yesterday");
  });

  it("accepts dates", () => {
    assert.equal(parseSince("2026-05-01T10:00:00Z", now), Date.UTC(2026, 4, 1, 10));
  });

  it("rejects anything else with OCP_BAD_OPTION", () => {
    for (const bad of ["", "soon", "10 parsecs", "25:00"]) {
      assert.throws(() => parseSince(bad, now), (error: unknown) => isOcpError(error) && error.diagnostic.code === "OCP_BAD_OPTION", bad);
    }
  });
});
