// The README's memory comparison: the real 2026.3.24 gateway, unpatched then patched with the default
// settings, under the same stream of misbehaving peers (every PEER_EVERY_MS one peer that floods
// requests and stops reading, one that authenticates and freezes). The gateway's resident memory is
// read from /proc every SAMPLE_MS; the patched run's own trace then gives `trace`'s per-process figures.
// Run: npm run bench:memory (about 12 minutes; OCP_MEMORY_RUN_MS shortens each run).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freshGatewayCopy, nodeVersionForGateway } from "../support/gateway-install.js";
import { startGateway } from "../support/gateway-process.js";
import { ensureNode } from "../support/node-binary.js";
import { rm } from "node:fs/promises";
import { makeScratch } from "../support/packages.js";
import { runCli } from "../support/cli.js";
import * as clients from "../support/ws-clients.js";

const RELEASE = "2026.3.24";
const RUN_MS = Number(process.env.OCP_MEMORY_RUN_MS ?? 5 * 60_000);
const PEER_EVERY_MS = 15_000;
const SAMPLE_MS = 30_000;

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024);
}

async function run(label: string, root: string, dir: string, nodeBin: string, traceFile: string): Promise<number[]> {
  const gateway = await startGateway({ packageRoot: root, nodeBin, scratchDir: join(dir, `gateway-${label}`), env: { OPENCLAW_PATCH_TRACE_FILE: traceFile, OPENCLAW_PATCH_SUMMARY_MS: String(SAMPLE_MS) } });
  const target = { port: gateway.port, token: gateway.token };
  const peers: { destroy(): void }[] = [];
  const samples = [rssMiB(gateway.pid)];
  const started = Date.now();
  let nextSample = started + SAMPLE_MS;
  try {
    while (Date.now() - started < RUN_MS) {
      for (const open of [clients.frozenFullWindow, clients.authenticatedFrozen]) {
        peers.push(
          await open(target).catch((error: Error) => {
            process.stderr.write(`${label}: a peer failed: ${error.message}\n`);
            return { destroy: () => undefined };
          }),
        );
      }
      await sleep(Math.max(0, PEER_EVERY_MS - ((Date.now() - started) % PEER_EVERY_MS)));
      while (Date.now() >= nextSample) {
        samples.push(rssMiB(gateway.pid));
        nextSample += SAMPLE_MS;
      }
    }
  } finally {
    await gateway.stop("SIGTERM", { timeoutMs: 40_000 });
    for (const peer of peers) peer.destroy();
  }
  return samples;
}

const dir = await makeScratch("memory-compare");
try {
  const nodeBin = await ensureNode(nodeVersionForGateway(RELEASE));
  const unpatchedRoot = await freshGatewayCopy(RELEASE, join(dir, "unpatched"));
  const patchedRoot = await freshGatewayCopy(RELEASE, join(dir, "patched"));
  const applied = await runCli(["apply", "--dir", patchedRoot, "--state-dir", join(dir, "state")]);
  if (applied.code !== 0) throw new Error(`apply failed: ${applied.stderr}`);
  const patchedTrace = join(dir, "patched-trace.jsonl");
  const unpatched = await run("unpatched", unpatchedRoot, dir, nodeBin, join(dir, "unpatched-trace.jsonl"));
  const patched = await run("patched", patchedRoot, dir, nodeBin, patchedTrace);
  process.stdout.write(`openclaw ${RELEASE}, Node ${nodeVersionForGateway(RELEASE)}, default settings; 2 misbehaving peers every ${PEER_EVERY_MS / 1000} s for ${RUN_MS / 60_000} min\n`);
  process.stdout.write(`${"minute".padEnd(8)}${"unpatched RSS".padStart(15)}${"patched RSS".padStart(15)}\n`);
  for (let i = 0; i < Math.max(unpatched.length, patched.length); i++) {
    const cell = (v: number | undefined): string => (v === undefined ? "" : `${v} MiB`).padStart(15);
    process.stdout.write(`${String((i * SAMPLE_MS) / 60_000).padEnd(8)}${cell(unpatched[i])}${cell(patched[i])}\n`);
  }
  const report = await runCli(["trace", patchedTrace]);
  process.stdout.write(`\nopenclaw-patch trace of the patched run:\n${report.stdout}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
