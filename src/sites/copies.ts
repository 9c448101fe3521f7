import { gatewayChunkCopies, type ReleaseVersion } from "../core/release.js";
import type { SiteExpectation } from "../core/site.js";

export function oncePerGatewayChunk(release: ReleaseVersion): SiteExpectation {
  const count = gatewayChunkCopies(release);
  return {
    count,
    why: count === 2 ? "2026.2.2–2026.3.13 ship two copies of the gateway chunk" : "one gateway chunk",
  };
}
