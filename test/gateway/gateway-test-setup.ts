import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceRecord } from '../../src/trace/records.js';

/** These tests run the real gateway: minutes on a first run (downloads), tens of seconds after. */
export function gatewayTestsSkipReason(): string | false {
  return process.env.OCP_SKIP_GATEWAY === '1' ? 'OCP_SKIP_GATEWAY=1: not running the real OpenClaw gateway' : false;
}

/** A scratch folder for one gateway test; kept for inspection when OCP_KEEP_SCRATCH=1. */
export async function gatewayScratchDir(label: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `ocp-${label}-`));
  const cleanup = async (): Promise<void> => {
    if (process.env.OCP_KEEP_SCRATCH === '1') return;
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, cleanup };
}

/** Every line of a trace file as the gateway wrote it; none before the gateway has written one. */
export function traceLines(file: string): TraceRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as TraceRecord);
}
