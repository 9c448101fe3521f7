import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDarwinNetstat } from "../../src/sockets/netstat-darwin.js";
import { summarizeGatewaySockets } from "../../src/sockets/summary.js";
import { fixtureText, nonZero } from "./fixtures.js";

const PORT = 18789;

test("macOS 12 layout (pid epid columns): zombies", () => {
  const parsed = parseDarwinNetstat(fixtureText("darwin/monterey-zombies.txt"));
  assert.equal(parsed.rejectedLines, 0);
  assert.equal(parsed.entries.length, 34);
  const summary = summarizeGatewaySockets(parsed.entries, { port: PORT });
  assert.deepEqual(nonZero(summary.gatewaySide), { LISTEN: 2, ESTABLISHED: 4, FIN_WAIT_2: 5, FIN_WAIT_1: 1, LAST_ACK: 1, TIME_WAIT: 3 });
  assert.deepEqual(nonZero(summary.peerSide), { ESTABLISHED: 5, CLOSE_WAIT: 5 });
  assert.deepEqual(summary.gatewayPids, [4242]);
  assert.deepEqual(summary.peerPids, [7120, 7131, 7135, 7140, 7152, 7160, 7161]);

  const finWait1 = parsed.entries.find((e) => e.state === "FIN_WAIT_1");
  assert.deepEqual([finWait1?.sendQueue, finWait1?.pid, finWait1?.detached], [178416, undefined, true], "pid 0 means detached");
  assert.equal(parsed.entries.find((e) => e.pid === 4242)?.detached, undefined, "a socket with an owner is not detached");
  const longV6 = parsed.entries.find((e) => e.localPort === 54911);
  assert.deepEqual([longV6?.family, longV6?.localAddress, longV6?.remoteAddress, longV6?.remotePort, longV6?.pid], [6, "2001:db8:4a7f:1c00:8d2e:51ff:fe09:3c11", "2001:db8:ffff::1bc", 443, 2210]);
  const linkLocal = parsed.entries.find((e) => e.localPort === 49213);
  assert.deepEqual([linkLocal?.localAddress, linkLocal?.remotePort], ["fe80::1%lo0", 631]);
  const dualStack = parsed.entries.find((e) => e.localPort === 5000);
  assert.deepEqual([dualStack?.family, dualStack?.localAddress, dualStack?.remoteAddress, dualStack?.remotePort, dualStack?.state], [6, "::", "::", 0, "LISTEN"]);
});

test("macOS 14 layout (process:pid, names with spaces): stall", () => {
  const parsed = parseDarwinNetstat(fixtureText("darwin/sonoma-stall.txt"));
  assert.equal(parsed.rejectedLines, 0);
  assert.equal(parsed.entries.length, 25);
  const summary = summarizeGatewaySockets(parsed.entries, { port: PORT });
  assert.deepEqual(nonZero(summary.gatewaySide), { LISTEN: 2, ESTABLISHED: 2, CLOSE_WAIT: 6, TIME_WAIT: 1 });
  assert.deepEqual(nonZero(summary.peerSide), { ESTABLISHED: 2, FIN_WAIT_2: 6 });
  assert.deepEqual(summary.gatewayPids, [4242]);
  assert.deepEqual(summary.peerPids, [7300, 7301, 7411, 7412, 7413, 7415, 7420]);

  const chrome = parsed.entries[0];
  assert.deepEqual([chrome?.processName, chrome?.pid], ["Google Chrome H", 812]);
  const helper = parsed.entries.find((e) => e.localPort === 45623 && e.state === "LISTEN");
  assert.deepEqual([helper?.processName, helper?.pid], ["Code Helper (Pl", 1520]);
  const gatewayV4 = parsed.entries.find((e) => e.localPort === PORT && e.state === "ESTABLISHED");
  assert.deepEqual(gatewayV4, {
    family: 4,
    localAddress: "127.0.0.1",
    localPort: PORT,
    remoteAddress: "127.0.0.1",
    remotePort: 51210,
    state: "ESTABLISHED",
    sendQueue: 500,
    recvQueue: 0,
    pid: 4242,
    processName: "node",
  });
});

test("without a header only the unambiguous name:pid column is trusted", () => {
  const newRow = "tcp4       0      0  127.0.0.1.18789        127.0.0.1.51210        ESTABLISHED         8810        61342  408300  146988              node:4242   00102 00000004 0000000000002a04 00000081 01000800      1      0 000001";
  const oldRow = "tcp4       0      0  127.0.0.1.18789        127.0.0.1.53210        ESTABLISHED 408300 146988   4242      0 0x0102 0x00000000";
  assert.equal(parseDarwinNetstat(newRow).entries[0]?.pid, 4242);
  assert.equal(parseDarwinNetstat(oldRow).entries[0]?.pid, undefined);
  assert.equal(parseDarwinNetstat(oldRow).entries[0]?.state, "ESTABLISHED");
});

test("plain netstat without -v, old `tcp` protocol names and odd rows", () => {
  const text = [
    "Active Internet connections (including servers)",
    "Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)",
    "tcp        0      0  127.0.0.1.18789        127.0.0.1.53210        SYN_RCVD",
    "tcp        0      0  ::1.18789              ::1.53212              CLOSING",
    "tcp4       0      0  127.0.0.1.18789        127.0.0.1.53214        WEIRD_STATE",
    "tcp4       0      0  127.0.0.1              127.0.0.1.53216        ESTABLISHED",
    "udp4       0      0  *.5353                 *.*",
  ].join("\n");
  const parsed = parseDarwinNetstat(text);
  assert.equal(parsed.rejectedLines, 1);
  assert.deepEqual(parsed.entries.map((e) => [e.family, e.state, e.pid, e.rawState]), [
    [4, "SYN_RECV", undefined, undefined],
    [6, "CLOSING", undefined, undefined],
    [4, "UNKNOWN", undefined, "WEIRD_STATE"],
  ]);
});
