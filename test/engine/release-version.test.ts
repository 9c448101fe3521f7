import { test } from "node:test";
import assert from "node:assert/strict";
import { compareReleases, gatewayChunkCopies, parseRelease, releaseInRange } from "../../src/core/release.js";
import { isInsidePackage } from "../../src/core/manifest.js";

const v = (raw: string) => {
  const parsed = parseRelease(raw);
  assert.ok(parsed, raw);
  return parsed;
};

test("release versions compare numerically, re-releases after, prereleases before", () => {
  assert.ok(compareReleases(v("2026.3.24"), v("2026.3.9")) > 0);
  assert.ok(compareReleases(v("2026.7.1-2"), v("2026.7.1")) > 0);
  assert.ok(compareReleases(v("2026.3.24-beta.1"), v("2026.3.24")) < 0);
  assert.equal(parseRelease("not-a-version"), undefined);
});

test("two gateway chunks exactly in 2026.2.2 to 2026.3.13", () => {
  assert.equal(gatewayChunkCopies(v("2026.2.1")), 1);
  assert.equal(gatewayChunkCopies(v("2026.2.2")), 2);
  assert.equal(gatewayChunkCopies(v("2026.3.13")), 2);
  assert.equal(gatewayChunkCopies(v("2026.3.22")), 1);
  assert.ok(releaseInRange(v("2026.3.23-2"), { from: "2026.3.22", to: "2026.4.2" }));
});

test("manifest paths must stay inside the package, on every platform's spelling", () => {
  for (const ok of ["dist/a.js", "dist/gateway/server/ws-connection.js"]) assert.ok(isInsidePackage(ok), ok);
  for (const bad of ["../x", "dist/../../x", "/etc/passwd", "C:\\x", "C:/x", "dist\\..\\x", "dist/./a.js", "", "a\0b", ".."]) assert.equal(isInsidePackage(bad), false, bad);
});
