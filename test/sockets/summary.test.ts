import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDarwinNetstat } from "../../src/sockets/netstat-darwin.js";
import { parseWindowsNetstat } from "../../src/sockets/netstat-windows.js";
import { summarizeGatewaySockets, verdict } from "../../src/sockets/summary.js";
import type { TcpEntry, TcpState } from "../../src/sockets/types.js";
import { fixtureText } from "./fixtures.js";

const PORT = 18789;

function row(state: TcpState, side: "gateway" | "peer", extra: Partial<TcpEntry> = {}): TcpEntry {
  const [localPort, remotePort] = side === "gateway" ? [PORT, 50000] : [50000, PORT];
  return { family: 4, localAddress: "127.0.0.1", localPort, remoteAddress: "127.0.0.1", remotePort, state, ...extra };
}
const listener = (): TcpEntry => ({ ...row("LISTEN", "gateway"), remoteAddress: "0.0.0.0", remotePort: 0 });

test("zombies on Windows: counted on the gateway side only, with the fix status", () => {
  const entries = [...parseWindowsNetstat(fixtureText("windows/zombies-tcp.txt")).entries, ...parseWindowsNetstat(fixtureText("windows/zombies-tcpv6.txt")).entries];
  const summary = summarizeGatewaySockets(entries, { port: PORT });
  const notApplied = verdict(summary, { fixApplied: false });
  assert.equal(notApplied.code, "zombies");
  assert.equal(notApplied.line, "7 zombie sockets: peers stopped answering; fix not applied");
  assert.deepEqual(notApplied.notes, [
    "3 established: the table cannot tell a live client from a frozen or vanished one; compare with the clients you expect, or see `openclaw-patch trace`.",
    "5 client-side CLOSE_WAIT: those clients never closed their end after the gateway closed — the client's fault, not the gateway's.",
    "3 TIME_WAIT: normal after a close; they expire on their own.",
  ]);
  assert.equal(verdict(summary, { fixApplied: "partial" }).line, "7 zombie sockets: peers stopped answering; fix only partly applied");
  assert.match(verdict(summary, { fixApplied: true }).line, /^7 zombie sockets: peers stopped answering; fix applied, so the gateway should reset them within its bounds/);
});

test("gateway-side CLOSE_WAIT means a stalled event loop, whatever the fix", () => {
  const summary = summarizeGatewaySockets(parseDarwinNetstat(fixtureText("darwin/sonoma-stall.txt")).entries, { port: PORT });
  for (const fixApplied of [false, true, "partial"] as const) {
    const result = verdict(summary, { fixApplied });
    assert.equal(result.code, "gateway-stalled");
    assert.equal(
      result.line,
      "6 gateway-side CLOSE_WAIT: the gateway's event loop is stalled (M6); a socket fix does not help — see `openclaw-patch trace` for stalls",
    );
  }
});

test("a stall with lingering closes too mentions both", () => {
  const summary = summarizeGatewaySockets([listener(), row("CLOSE_WAIT", "gateway"), row("FIN_WAIT_2", "gateway"), row("LAST_ACK", "gateway")], { port: PORT });
  assert.equal(summary.lingeringCloses, 3);
  const result = verdict(summary, { fixApplied: false });
  assert.equal(result.code, "gateway-stalled");
  assert.ok(result.line.startsWith("1 gateway-side CLOSE_WAIT"));
  assert.deepEqual(result.notes, ["2 more gateway-side closes wait on peers that stopped answering (FIN_WAIT/LAST_ACK)."]);
});

test("healthy never vouches for ESTABLISHED, and TIME_WAIT is not a zombie", () => {
  const summary = summarizeGatewaySockets(
    [listener(), row("ESTABLISHED", "gateway"), row("ESTABLISHED", "gateway"), row("ESTABLISHED", "peer"), row("TIME_WAIT", "gateway")],
    { port: PORT },
  );
  const result = verdict(summary, { fixApplied: true });
  assert.equal(result.code, "healthy");
  assert.equal(result.line, "healthy: 2 established, 0 zombies");
  assert.match(result.notes[0] ?? "", /cannot tell a live client from a frozen or vanished one/);
});

test("peer-side CLOSE_WAIT alone is the client's fault, not a gateway zombie", () => {
  const summary = summarizeGatewaySockets([listener(), row("CLOSE_WAIT", "peer"), row("CLOSE_WAIT", "peer")], { port: PORT });
  const result = verdict(summary, { fixApplied: false });
  assert.equal(result.code, "healthy");
  assert.equal(result.line, "healthy: 0 established, 0 zombies");
  assert.match(result.notes[0] ?? "", /^2 client-side CLOSE_WAIT/);
});

test("nothing listening", () => {
  const empty = verdict(summarizeGatewaySockets([row("TIME_WAIT", "gateway")], { port: PORT }), { fixApplied: false });
  assert.deepEqual([empty.code, empty.line], ["no-listener", "no gateway listening on port 18789"]);

  const dying = verdict(summarizeGatewaySockets([row("FIN_WAIT_1", "gateway")], { port: PORT }), { fixApplied: false });
  assert.equal(dying.code, "zombies");
  assert.equal(dying.line, "1 zombie socket: peers stopped answering; fix not applied");
  assert.deepEqual(dying.notes, ["Nothing is listening on port 18789: the gateway has stopped or moved."]);
});

test("known gateway pids keep another process's rows out; ownerless rows stay in", () => {
  const entries = [
    { ...listener(), pid: 4242 },
    row("FIN_WAIT_2", "gateway", { pid: 4242 }),
    row("FIN_WAIT_2", "gateway"),
    row("ESTABLISHED", "gateway", { pid: 555 }),
  ];
  const summary = summarizeGatewaySockets(entries, { port: PORT, gatewayPids: [4242] });
  assert.equal(summary.otherOwnerRows, 1);
  assert.equal(summary.gatewaySide.ESTABLISHED, 0);
  assert.equal(summary.gatewaySide.FIN_WAIT_2, 2);
  assert.deepEqual(summary.gatewayPids, [4242]);
  assert.equal(summarizeGatewaySockets(entries, { port: PORT }).gatewaySide.ESTABLISHED, 1);
});

test("closing rows no process holds are named as kernel orphans; unaccepted or TIME_WAIT rows are not", () => {
  const entries = [
    listener(),
    row("FIN_WAIT_1", "gateway", { detached: true, sendQueue: 200_000 }),
    row("FIN_WAIT_2", "gateway", { detached: true }),
    row("FIN_WAIT_2", "gateway", { pid: 4242 }),
    row("ESTABLISHED", "gateway", { detached: true }),
    row("TIME_WAIT", "gateway", { detached: true }),
  ];
  const summary = summarizeGatewaySockets(entries, { port: PORT });
  assert.equal(summary.lingeringCloses, 3);
  assert.equal(summary.orphanedCloses, 2);
  assert.ok(verdict(summary, { fixApplied: true }).notes.some((note) => note.startsWith("2 of the gateway-side closes are orphans: no process holds them")));
});

test("the tables say which rows no process holds: Linux inode 0, Windows pid 0", () => {
  const windows = parseWindowsNetstat("  TCP    127.0.0.1:18789        127.0.0.1:53190        FIN_WAIT_2      0\n  TCP    127.0.0.1:18789        127.0.0.1:53191        FIN_WAIT_2      4242\n").entries;
  assert.deepEqual(windows.map((entry) => [entry.detached, entry.pid]), [[true, undefined], [undefined, 4242]]);
});

test("a partial table (no listening rows: Wine's netstat) claims neither 'nothing listens' nor 'healthy'", () => {
  const summary = summarizeGatewaySockets(parseWindowsNetstat(fixtureText("windows/wine-8.0-ano.txt")).entries, { port: PORT });
  assert.equal(summary.listening, 0);
  const partial = verdict(summary, { fixApplied: false, partialTable: true });
  // The gateway-side CLOSE_WAIT is visible even there, and is what the verdict is about.
  assert.equal(partial.code, "gateway-stalled");
  const established = summarizeGatewaySockets([row("ESTABLISHED", "gateway")], { port: PORT });
  const result = verdict(established, { fixApplied: false, partialTable: true });
  assert.equal(result.code, "table-partial");
  assert.match(result.line, /^1 established on port 18789; this table shows no listening or closing/);
  assert.equal(verdict(established, { fixApplied: false }).code, "no-listener");
});
