import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CommandIO } from "../../src/cli/io.js";
import { tempDir } from "./runtime-tracing.js";

/** fixtures/trace/, from build/test/trace/. */
export const FIXTURES = fileURLToPath(new URL("../../../fixtures/trace/", import.meta.url));
export const GATEWAY_TRACE = path.join(FIXTURES, "gateway.jsonl");
export const RESTART_TORN_TRACE = path.join(FIXTURES, "restart-torn.jsonl");

/** 2026-05-01T10:00:00Z, the start of the fixtures. */
export const T0 = Date.UTC(2026, 4, 1, 10);
export const at = (minutes: number, seconds = 0, ms = 0): number => T0 + minutes * 60_000 + seconds * 1_000 + ms;

/** Copies a fixture (and its rotated copies) into a scratch folder, for tests that append or rotate. */
export function scratchCopy(fixture: string): string {
  const target = path.join(tempDir("trace-fixture"), path.basename(fixture));
  for (const suffix of ["", ".1", ".2", ".3"]) {
    if (fs.existsSync(fixture + suffix)) fs.copyFileSync(fixture + suffix, target + suffix);
  }
  return target;
}

export interface CapturedIO extends CommandIO {
  stdout: string[];
  stderr: string[];
}

export function captureIO(json = false): CapturedIO {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { json, stdout, stderr, out: (text) => void stdout.push(text), err: (text) => void stderr.push(text) };
}
