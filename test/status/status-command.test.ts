import assert from "node:assert/strict";
import { once } from "node:events";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { statusCommand, type StatusContext } from "../../src/commands/status.js";
import type { StateCounts } from "../../src/sockets/tcp-states.js";
import { runCli } from "../support/cli.js";
import { makeScratch, scratchCopy } from "../support/packages.js";
import { readTcpSockets, type TcpSocketEntry, type TcpState as IndependentState } from "../support/socket-table.js";
import { runCaptured } from "./capture-io.js";

const onLinux = process.platform === "linux";

/** The independent reader spells a few states the kernel's way; the product uses netstat's. */
const PRODUCT_NAME: Partial<Record<IndependentState, keyof StateCounts>> = { FIN_WAIT1: "FIN_WAIT_1", FIN_WAIT2: "FIN_WAIT_2", NEW_SYN_RECV: "SYN_RECV" };

function independentCounts(table: readonly TcpSocketEntry[], port: number): { gateway: Record<string, number>; peer: Record<string, number> } {
  const gateway: Record<string, number> = {};
  const peer: Record<string, number> = {};
  for (const row of table) {
    const state = PRODUCT_NAME[row.state] ?? row.state;
    if (row.localPort === port) gateway[state] = (gateway[state] ?? 0) + 1;
    else if (row.remotePort === port && row.state !== "LISTEN") peer[state] = (peer[state] ?? 0) + 1;
  }
  return { gateway, peer };
}

function nonZero(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

function context(overrides: Partial<StatusContext> = {}): StatusContext {
  return { env: {}, homedir: "/nonexistent-home", platform: process.platform, isTty: false, onInterrupt: () => () => undefined, ...overrides };
}

describe("status reads the gateway port's TCP table", { skip: !onLinux && "compares with /proc/net/tcp" }, () => {
  let scratch: string;
  let root: string;
  let stateDir: string;
  let server: net.Server;
  let port: number;
  const sockets: net.Socket[] = [];

  before(async () => {
    scratch = await makeScratch("status");
    root = await scratchCopy("2026.3.24", scratch);
    stateDir = path.join(scratch, "state");
    // allowHalfOpen: the server's end() must not wait for the client, so one pair stays half-closed.
    server = net.createServer({ allowHalfOpen: true }, (socket) => {
      sockets.push(socket);
      socket.on("error", () => undefined);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as net.AddressInfo).port;

    const healthy = net.connect({ host: "127.0.0.1", port });
    const halfClosed = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    for (const client of [healthy, halfClosed]) {
      client.on("error", () => undefined);
      sockets.push(client);
      await once(client, "connect");
    }
    for (let i = 0; i < 100 && sockets.length < 4; i++) await sleep(10);
    const acceptedHalf = sockets.find((s) => s.remotePort === halfClosed.localPort);
    assert.ok(acceptedHalf, "the server accepted both clients");
    // Gateway side FIN_WAIT_2, client side CLOSE_WAIT: the pair the issue is about.
    acceptedHalf.end();
    for (let i = 0; i < 200; i++) {
      const counts = independentCounts(readTcpSockets(), port);
      if (counts.gateway.FIN_WAIT_2 === 1 && counts.peer.CLOSE_WAIT === 1) break;
      await sleep(10);
    }
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    await fs.rm(scratch, { recursive: true, force: true });
  });

  async function statusJson(extra: Partial<Parameters<typeof statusCommand>[0]> = {}, ctx = context()): Promise<any> {
    const run = await runCaptured(true, (io) => statusCommand({ dir: root, stateDir, port: String(port), ...extra }, io, ctx));
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout);
  }

  test("--json counts agree with /proc/net/tcp read independently at the same moment", async () => {
    let attempts = 0;
    for (;;) {
      const before = independentCounts(readTcpSockets(), port);
      const json = await statusJson();
      const afterRead = independentCounts(readTcpSockets(), port);
      attempts++;
      // Another test's sockets never use this port; only a state change mid-read can differ, so retry a little.
      if (JSON.stringify(before) !== JSON.stringify(afterRead) && attempts < 5) continue;
      assert.deepEqual(nonZero(json.sockets.summary.gatewaySide), afterRead.gateway);
      assert.deepEqual(nonZero(json.sockets.summary.peerSide), afterRead.peer);
      assert.deepEqual(afterRead.gateway, { LISTEN: 1, ESTABLISHED: 1, FIN_WAIT_2: 1 });
      assert.deepEqual(afterRead.peer, { ESTABLISHED: 1, CLOSE_WAIT: 1 });
      assert.equal(json.gateway.port, port);
      assert.equal(json.gateway.portSource, "option");
      assert.ok(json.sockets.gatewayProcesses.some((p: { pid: number }) => p.pid === process.pid), "the owning process is named");
      assert.ok(json.sockets.peerProcesses.some((p: { pid: number; name?: string }) => p.pid === process.pid && typeof p.name === "string"));
      assert.equal(json.sockets.fixApplied, false);
      assert.equal(json.sockets.verdict.code, "zombies");
      assert.match(json.sockets.verdict.line, /fix not applied/);
      break;
    }
  });

  test("the verdict knows the fix once the install is patched", async () => {
    const applied = await runCli(["apply", "--dir", root, "--state-dir", stateDir, "--json"]);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const json = await statusJson();
    assert.equal(json.state, "patched");
    assert.equal(json.sockets.fixApplied, true);
    assert.match(json.sockets.verdict.line, /fix applied/);
  });

  test("text output: the counts, the owner and the verdict", async () => {
    const run = await runCaptured(false, (io) => statusCommand({ dir: root, stateDir, port: String(port) }, io, context()));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`gateway port ${port} \\(--port\\)`));
    assert.match(run.stdout, /FIN_WAIT_2\s+1\s+0/);
    assert.match(run.stdout, /CLOSE_WAIT\s+0\s+1/);
    assert.match(run.stdout, new RegExp(`gateway side: .*pid ${process.pid}`));
    assert.match(run.stdout, /verdict: 1 zombie socket/);
  });

  test("the port comes from the OpenClaw config when --port is not given (child process)", async () => {
    const configPath = path.join(scratch, "openclaw.json");
    await fs.writeFile(configPath, `// written by the test\n{ gateway: { port: ${port}, bind: 'loopback', }, }\n`);
    const run = await runCli(["status", "--dir", root, "--state-dir", stateDir, "--json"], { OPENCLAW_CONFIG_PATH: configPath, OPENCLAW_GATEWAY_PORT: undefined });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.gateway.portSource, "config");
    assert.equal(run.json.sockets.summary.listening, 1);
  });

  test("--watch --watch-count N prints N JSON lines and stops (child process)", async () => {
    const run = await runCli(["status", "--dir", root, "--state-dir", stateDir, "--port", String(port), "--json", "--watch", "0.2", "--watch-count", "3"]);
    assert.equal(run.code, 0, run.stderr);
    const frames = run.stdout.trim().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(frames.map((f) => f.frame), [1, 2, 3]);
    for (const frame of frames) assert.equal(frame.sockets.summary.gatewaySide.LISTEN, 1);
  });

  test("--watch clears the screen between frames on a terminal", async () => {
    const run = await runCaptured(false, (io) => statusCommand({ dir: root, stateDir, port: String(port), watch: "0.1", watchCount: "2" }, io, context({ isTty: true })));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.split("\x1b[2J").length - 1, 2);
    assert.match(run.stdout, /frame 2; every 0\.1 s/);
  });

  test("--watch without a count stops on Ctrl-C", async () => {
    let stopped = false;
    const interrupt: StatusContext["onInterrupt"] = (listener) => {
      const timer = setTimeout(listener, 150);
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    };
    const started = Date.now();
    const run = await runCaptured(true, (io) => statusCommand({ dir: root, stateDir, port: String(port), watch: "5" }, io, context({ onInterrupt: interrupt })));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim().split("\n").length, 1, "one frame, then the interrupt");
    assert.ok(Date.now() - started < 4_000, "it did not wait out the interval");
    assert.ok(stopped, "the SIGINT listener was removed");
  });

  test("no readable TCP table: diagnostics, no crash", async () => {
    const unsupported = await statusJson({}, context({ platform: "aix" }));
    assert.equal(unsupported.sockets.summary, null);
    assert.equal(unsupported.sockets.verdict, null);
    assert.deepEqual(unsupported.sockets.diagnostics.map((d: { code: string }) => d.code), ["OCP_TCP_TABLE_UNSUPPORTED"]);

    const noNetstat = await statusJson({}, context({ platform: "darwin", run: async () => ({ code: null, stdout: "", stderr: "", startError: "ENOENT" }) }));
    assert.equal(noNetstat.sockets.summary, null);
    assert.deepEqual(noNetstat.diagnostics.map((d: { code: string }) => d.code), ["OCP_NETSTAT_MISSING"]);
    const text = await runCaptured(false, (io) => statusCommand({ dir: root, stateDir, port: String(port) }, io, context({ platform: "darwin", run: async () => ({ code: null, stdout: "", stderr: "", startError: "ENOENT" }) })));
    assert.equal(text.code, 0);
    assert.match(text.stdout, /TCP table: not readable/);
    assert.match(text.stderr, /OCP_NETSTAT_MISSING/);
  });
});
