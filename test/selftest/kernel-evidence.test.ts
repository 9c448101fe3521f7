import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { diagnostic } from "../../src/core/diagnostics.js";
import { RUNTIME_ASSET } from "../../src/core/runtime-asset.js";
import { RUNTIME_FILE } from "../../src/core/preamble.js";
import { pollKernelEnds, withKernelEvidence, type SelfTestTableReader } from "../../src/selftest/kernel-evidence.js";
import { renderSelfTest } from "../../src/selftest/render-self-test.js";
import { runSelfTest } from "../../src/selftest/run-self-test.js";
import type { SelfTestKernelCheckpoint, SelfTestScriptCheck } from "../../src/selftest/child/protocol.js";
import type { TcpTableRead } from "../../src/sockets/read-table.js";
import type { TcpEntry, TcpState } from "../../src/sockets/types.js";

const SERVER_PORT = 40_000;
const CHECKPOINT: SelfTestKernelCheckpoint = {
  checkpoint: "kernel-table",
  pid: 4242,
  serverPort: SERVER_PORT,
  ends: [
    { check: "ignores-pings", clientPort: 50_001, expect: "gone" },
    { check: "fills-window", clientPort: 50_002, expect: "gone" },
    { check: "healthy-client", clientPort: 50_003, expect: "open" },
  ],
};

function serverEnd(clientPort: number, state: TcpState, options: { orphan?: boolean; sendQueue?: number } = {}): TcpEntry {
  return {
    family: 4,
    localAddress: "127.0.0.1",
    localPort: SERVER_PORT,
    remoteAddress: "127.0.0.1",
    remotePort: clientPort,
    state,
    sendQueue: options.sendQueue ?? 0,
    recvQueue: 0,
    // Linux: inode 0 is a socket no file refers to; the owner is found only for held ones.
    inode: options.orphan ? 0 : 9_000 + clientPort,
    ...(options.orphan ? { detached: true } : { pid: 4242 }),
  };
}

const passedByProcess = (name: SelfTestScriptCheck["name"]): SelfTestScriptCheck => ({ name, passed: true, measuredMs: 800, boundMs: 2_300, detail: "dropped after 800 ms" });
const PROGRAM_CHECKS = [passedByProcess("ignores-pings"), passedByProcess("fills-window"), { ...passedByProcess("healthy-client"), detail: "still connected" }];

function tables(...reads: TcpEntry[][]): { read: SelfTestTableReader; count: () => number } {
  let n = 0;
  return {
    read: async (): Promise<TcpTableRead> => ({ entries: reads[Math.min(n++, reads.length - 1)]!, source: "fake", diagnostics: [] }),
    count: () => n,
  };
}

describe("self-test: dropped means gone from the kernel's table", () => {
  test("an orphan (FIN_WAIT_1, no owner, bytes queued) is not dropped, whatever the process saw", async () => {
    const fake = tables([serverEnd(50_001, "FIN_WAIT_2", { orphan: true }), serverEnd(50_002, "FIN_WAIT_1", { orphan: true, sendQueue: 131_072 }), serverEnd(50_003, "ESTABLISHED")]);
    const evidence = await pollKernelEnds(CHECKPOINT, { read: fake.read, graceMs: 100, intervalMs: 20 });
    assert.ok(fake.count() >= 2 && fake.count() <= 7, `the wait for the orphans to leave is bounded (${fake.count()} reads)`);
    const [pings, window, healthy] = withKernelEvidence(PROGRAM_CHECKS, CHECKPOINT, evidence);
    assert.equal(pings!.passed, false);
    assert.match(pings!.detail, /but the kernel still holds the server's end \d+ ms later: FIN_WAIT_2 orphan \(no owning process\), 0 bytes queued$/);
    assert.equal(window!.passed, false);
    assert.match(window!.detail, /FIN_WAIT_1 orphan \(no owning process\), 131072 bytes queued$/);
    assert.deepEqual(window!.kernel?.lastSeen, { state: "FIN_WAIT_1", holder: "orphan", pid: null, sendQueue: 131_072 });
    assert.equal(healthy!.passed, true);
    assert.match(healthy!.detail, /server's end ESTABLISHED, held by pid 4242, 0 bytes queued$/);
  });

  test("a reset end leaves the table: absent or TIME_WAIT is dropped, and the poll stops at once", async () => {
    const fake = tables([serverEnd(50_001, "ESTABLISHED"), serverEnd(50_002, "ESTABLISHED"), serverEnd(50_003, "ESTABLISHED")], [serverEnd(50_001, "TIME_WAIT", { orphan: true }), serverEnd(50_003, "ESTABLISHED")]);
    const evidence = await pollKernelEnds(CHECKPOINT, { read: fake.read, graceMs: 1_000, intervalMs: 10 });
    assert.equal(fake.count(), 2);
    const checks = withKernelEvidence(PROGRAM_CHECKS, CHECKPOINT, evidence);
    assert.ok(checks.every((c) => c.passed), JSON.stringify(checks, null, 2));
    assert.match(checks[0]!.detail, /server's end only in TIME_WAIT \(closed\)$/);
    assert.match(checks[1]!.detail, /server's end gone from the kernel's table \d+ ms after the checkpoint \(last seen ESTABLISHED, held by pid 4242, 0 bytes queued\)$/);
  });

  test("a healthy client whose server end is an orphan is not healthy", async () => {
    const fake = tables([serverEnd(50_003, "FIN_WAIT_2", { orphan: true })]);
    const evidence = await pollKernelEnds(CHECKPOINT, { read: fake.read, graceMs: 0, intervalMs: 10 });
    const healthy = withKernelEvidence(PROGRAM_CHECKS, CHECKPOINT, evidence)[2]!;
    assert.equal(healthy.passed, false);
    assert.match(healthy.detail, /FIN_WAIT_2 orphan/);
  });

  test("no table here (no /proc, no netstat): said in the detail, not failed", async () => {
    const unreadable: SelfTestTableReader = async () => ({
      entries: [],
      source: "/proc/net/tcp",
      diagnostics: [diagnostic("OCP_PROC_NET_UNREADABLE", "Could not read the kernel TCP table under /proc/net.", "Check that /proc is mounted.")],
    });
    const evidence = await pollKernelEnds(CHECKPOINT, { read: unreadable, graceMs: 500, intervalMs: 10 });
    const checks = withKernelEvidence(PROGRAM_CHECKS, CHECKPOINT, evidence);
    assert.ok(checks.every((c) => c.passed));
    assert.match(checks[0]!.detail, /the kernel's table could not be read here \(OCP_PROC_NET_UNREADABLE: Could not read the kernel TCP table under \/proc\/net\.\), so only the process's view counts/);
  });
});

const scratches: string[] = [];
after(async () => {
  for (const dir of scratches) await fs.rm(dir, { recursive: true, force: true });
});

/** The smallest install the self-test runs against: a package.json, the built runtime, and this repo's ws. */
async function miniatureInstall(): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "ocp-self-test-kernel-"));
  scratches.push(root);
  await fs.writeFile(path.join(root, "package.json"), JSON.stringify({ name: "openclaw", version: "2026.3.24" }));
  await fs.copyFile(RUNTIME_ASSET, path.join(root, RUNTIME_FILE));
  await fs.mkdir(path.join(root, "node_modules"));
  const repoWs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../node_modules/ws");
  await fs.symlink(repoWs, path.join(root, "node_modules", "ws"), "dir");
  return root;
}

describe("self-test program against the kernel's real table", { skip: process.platform !== "linux" && "reads /proc" }, () => {
  test("every misbehaving client's server end leaves the kernel; healthy closes end with close 1000 and a FIN", { timeout: 60_000 }, async (t) => {
    const root = await miniatureInstall();
    const result = await runSelfTest({ packageRoot: root, nodeBinary: process.execPath, release: "2026.3.24", toolVersion: "0.0.0-test", env: {} });
    for (const line of renderSelfTest(result)) t.diagnostic(line);
    assert.deepEqual(result.checks.map((c) => c.name), ["ignores-pings", "ignores-close-frame", "fills-window", "healthy-client", "healthy-close", "runtime-warnings"]);
    for (const name of ["ignores-pings", "ignores-close-frame", "fills-window", "healthy-client"]) {
      assert.equal(result.checks.find((c) => c.name === name)?.kernel?.readable, true, `${name}: the table was read`);
    }
    assert.match(result.checks.find((c) => c.name === "fills-window")!.detail, /bytes still unsent in the process: its window was full/);
    assert.equal(result.checks.find((c) => c.name === "healthy-close")?.passed, true, "a healthy close keeps its FIN");
    assert.equal(result.status, "passed", JSON.stringify(result, null, 2));
  });
});
