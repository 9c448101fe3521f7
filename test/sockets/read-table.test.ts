import { test } from "node:test";
import assert from "node:assert/strict";
import { isPartialTable, readTcpTable } from "../../src/sockets/read-table.js";
import type { ProcessOutcome, ProcessRunner } from "../../src/core/run-process.js";
import { fixtureText } from "./fixtures.js";

const ok = (stdout: string): ProcessOutcome => ({ code: 0, stdout, stderr: "" });

/** A fake netstat answering by its argument list; records what was asked. */
function fakeRun(answers: Record<string, ProcessOutcome>): ProcessRunner & { calls: string[] } {
  const calls: string[] = [];
  const run: ProcessRunner = async ({ argv }) => {
    const key = argv.join(" ");
    calls.push(key);
    const answer = answers[key];
    if (!answer) throw new Error(`unexpected command ${key}`);
    return answer;
  };
  return Object.assign(run, { calls });
}

test("macOS runs netstat -anvW -p tcp and parses it", async () => {
  const run = fakeRun({ "/usr/sbin/netstat -anvW -p tcp": ok(fixtureText("darwin/sonoma-stall.txt")) });
  const table = await readTcpTable({ platform: "darwin", run });
  assert.deepEqual(run.calls, ["/usr/sbin/netstat -anvW -p tcp"]);
  assert.equal(table.entries.length, 25);
  assert.equal(table.source, "/usr/sbin/netstat -anvW -p tcp");
  assert.deepEqual(table.diagnostics, []);
});

test("Windows runs both tables and joins them", async () => {
  const run = fakeRun({
    "netstat -ano -p tcp": ok(fixtureText("windows/zombies-tcp.txt")),
    "netstat -ano -p tcpv6": ok(fixtureText("windows/zombies-tcpv6.txt")),
  });
  const table = await readTcpTable({ platform: "win32", run });
  assert.equal(table.entries.length, 27 + 9);
  assert.equal(table.source, "netstat -ano -p tcp; netstat -ano -p tcpv6");
  assert.deepEqual(table.diagnostics, []);
});

test("a missing netstat is one error diagnostic, and nothing more is run", async () => {
  const run = fakeRun({ "netstat -ano -p tcp": { code: null, stdout: "", stderr: "", startError: "ENOENT" } });
  const table = await readTcpTable({ platform: "win32", run });
  assert.deepEqual(run.calls, ["netstat -ano -p tcp"]);
  assert.deepEqual(table.entries, []);
  assert.deepEqual(table.diagnostics.map((d) => [d.code, d.severity]), [["OCP_NETSTAT_MISSING", "error"]]);
  assert.match(table.diagnostics[0]?.remedy ?? "", /System32/);
});

test("a failing IPv6 run only warns; the IPv4 rows still count", async () => {
  const run = fakeRun({
    "netstat -ano -p tcp": ok(fixtureText("windows/stall-tcp.txt")),
    "netstat -ano -p tcpv6": { code: 1, stdout: "", stderr: "The requested protocol has not been configured" },
  });
  const table = await readTcpTable({ platform: "win32", run });
  assert.equal(table.entries.length, 16);
  assert.deepEqual(table.diagnostics.map((d) => [d.code, d.severity]), [["OCP_NETSTAT_FAILED", "warning"]]);
  assert.equal(table.diagnostics[0]?.details?.stderr, "The requested protocol has not been configured");
});

test("a failing or throwing macOS netstat is an error", async () => {
  const failing = fakeRun({ "/usr/sbin/netstat -anvW -p tcp": { code: null, stdout: "", stderr: "" } });
  const failed = await readTcpTable({ platform: "darwin", run: failing });
  assert.deepEqual(failed.diagnostics.map((d) => [d.code, d.severity]), [["OCP_NETSTAT_FAILED", "error"]]);
  assert.match(failed.diagnostics[0]?.message ?? "", /killed or timed out/);

  const throwing: ProcessRunner = async () => {
    throw new Error("spawn EPERM");
  };
  const thrown = await readTcpTable({ platform: "darwin", run: throwing });
  assert.deepEqual(thrown.diagnostics.map((d) => d.code), ["OCP_NETSTAT_FAILED"]);
});

test("unreadable output, skipped rows and unknown states are reported, not hidden", async () => {
  const garbage = fakeRun({ "/usr/sbin/netstat -anvW -p tcp": ok("tcp4 what is this\ntcp6 nor this\n") });
  const unreadable = await readTcpTable({ platform: "darwin", run: garbage });
  assert.deepEqual(unreadable.diagnostics.map((d) => [d.code, d.severity]), [["OCP_NETSTAT_UNREADABLE", "error"]]);

  const localized = [
    "  TCP    127.0.0.1:18789        0.0.0.0:0              ABHÖREN         4242",
    "  TCP    127.0.0.1:18789        127.0.0.1:50002        ESTABLISHED     4242",
    "  TCP    127.0.0.1:bad          127.0.0.1:50003        ESTABLISHED     4242",
  ].join("\r\n");
  const run = fakeRun({ "netstat -ano -p tcp": ok(localized), "netstat -ano -p tcpv6": ok("") });
  const table = await readTcpTable({ platform: "win32", run });
  assert.equal(table.entries.length, 2);
  assert.deepEqual(table.diagnostics.map((d) => [d.code, d.severity]), [
    ["OCP_TCP_ROWS_SKIPPED", "warning"],
    ["OCP_TCP_STATE_UNKNOWN", "warning"],
  ]);
  assert.deepEqual(table.diagnostics[1]?.details?.states, ["ABHÖREN"]);
});

test("Linux without a readable /proc/net and other platforms give diagnostics", async () => {
  const linux = await readTcpTable({ platform: "linux", procRoot: "/nonexistent-proc-root" });
  assert.deepEqual(linux.diagnostics.map((d) => d.code), ["OCP_PROC_NET_UNREADABLE"]);
  assert.deepEqual(linux.entries, []);

  const run = fakeRun({});
  const bsd = await readTcpTable({ platform: "freebsd", run });
  assert.deepEqual(bsd.diagnostics.map((d) => d.code), ["OCP_TCP_TABLE_UNSUPPORTED"]);
  assert.deepEqual(run.calls, []);
});

test("Wine's netstat ignores -p: the IPv4 rows it prints again for tcpv6 are not counted twice", async () => {
  // Captured from Wine 8.0: the same text for -p tcp and -p tcpv6.
  const wine = fixtureText("windows/wine-8.0-ano.txt");
  const run = fakeRun({ "netstat -ano -p tcp": ok(wine), "netstat -ano -p tcpv6": ok(wine) });
  const table = await readTcpTable({ platform: "win32", run });
  assert.equal(table.entries.length, 6);
  assert.ok(table.entries.every((entry) => entry.family === 4));
});

test("a Windows table with no listening socket at all is marked partial (Wine's netstat), a full one is not", async () => {
  const wine = fixtureText("windows/wine-8.0-ano.txt");
  const partial = await readTcpTable({ platform: "win32", run: fakeRun({ "netstat -ano -p tcp": ok(wine), "netstat -ano -p tcpv6": ok(wine) }) });
  assert.deepEqual(partial.diagnostics.map((d) => [d.code, d.severity]), [["OCP_NETSTAT_PARTIAL", "warning"]]);
  assert.ok(isPartialTable(partial));
  assert.match(partial.diagnostics[0]?.remedy ?? "", /Get-NetTCPConnection/);
  const full = await readTcpTable({
    platform: "win32",
    run: fakeRun({ "netstat -ano -p tcp": ok(fixtureText("windows/zombies-tcp.txt")), "netstat -ano -p tcpv6": ok(fixtureText("windows/zombies-tcpv6.txt")) }),
  });
  assert.equal(isPartialTable(full), false);
});
