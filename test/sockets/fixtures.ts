import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { StateCounts } from "../../src/sockets/tcp-states.js";

/** Tests run from build/test/sockets/, fixtures stay at the repo root. */
export const FIXTURES = fileURLToPath(new URL("../../../fixtures/netstat/", import.meta.url));

export function fixtureText(relative: string): string {
  return readFileSync(FIXTURES + relative, "utf8");
}

/** Only the states that occur, so an assertion lists exactly what is expected and nothing else may sneak in. */
export function nonZero(counts: StateCounts): Partial<StateCounts> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}
