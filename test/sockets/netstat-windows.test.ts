import { test } from "node:test";
import assert from "node:assert/strict";
import { parseWindowsNetstat } from "../../src/sockets/netstat-windows.js";
import { summarizeGatewaySockets } from "../../src/sockets/summary.js";
import { fixtureText, nonZero } from "./fixtures.js";

const PORT = 18789;

function both(name: string) {
  const v4Text = fixtureText(`windows/${name}-tcp.txt`);
  const v6Text = fixtureText(`windows/${name}-tcpv6.txt`);
  assert.ok(v4Text.includes("\r\n") && v6Text.includes("\r\n"), "fixtures keep Windows CRLF line endings");
  const v4 = parseWindowsNetstat(v4Text);
  const v6 = parseWindowsNetstat(v6Text);
  assert.equal(v4.rejectedLines + v6.rejectedLines, 0);
  return { v4: v4.entries, v6: v6.entries };
}

test("zombies: the 4 + 4 FIN_WAIT_2 / CLOSE_WAIT pairs of a loopback leak, kept apart", () => {
  const { v4, v6 } = both("zombies");
  assert.equal(v4.length, 27);
  assert.equal(v6.length, 9);
  assert.ok(v4.every((e) => e.family === 4) && v6.every((e) => e.family === 6));
  const summary = summarizeGatewaySockets([...v4, ...v6], { port: PORT });
  assert.deepEqual(nonZero(summary.gatewaySide), { LISTEN: 2, ESTABLISHED: 3, FIN_WAIT_2: 5, FIN_WAIT_1: 1, LAST_ACK: 1, TIME_WAIT: 3 });
  assert.deepEqual(nonZero(summary.peerSide), { ESTABLISHED: 4, CLOSE_WAIT: 5 });
  assert.deepEqual(summary.gatewayPids, [4242], "TIME_WAIT's pid 0 is nobody");
  assert.deepEqual(summary.peerPids, [9120, 9188, 9300, 9310]);

  assert.deepEqual(v6.find((e) => e.localPort === PORT && e.state === "LISTEN"), {
    family: 6,
    localAddress: "::1",
    localPort: PORT,
    remoteAddress: "::",
    remotePort: 0,
    state: "LISTEN",
    pid: 4242,
  });
  const linkLocal = v6.find((e) => e.localAddress.startsWith("fe80"));
  assert.deepEqual([linkLocal?.localAddress, linkLocal?.localPort, linkLocal?.remoteAddress, linkLocal?.pid], ["fe80::8d2e:51ff:fe09:3c11%12", 49720, "fe80::1%12", 4]);
});

test("stall: gateway-side CLOSE_WAIT on both families", () => {
  const { v4, v6 } = both("stall");
  assert.equal(v4.length, 16);
  assert.equal(v6.length, 7);
  const summary = summarizeGatewaySockets([...v4, ...v6], { port: PORT });
  assert.deepEqual(nonZero(summary.gatewaySide), { LISTEN: 2, ESTABLISHED: 1, CLOSE_WAIT: 6, TIME_WAIT: 2 });
  assert.deepEqual(nonZero(summary.peerSide), { ESTABLISHED: 1, FIN_WAIT_2: 6 });
  const outgoing = v6.find((e) => e.remotePort === 443);
  assert.deepEqual([outgoing?.state, outgoing?.localAddress, outgoing?.remoteAddress], ["SYN_SENT", "2001:db8:4a7f:1c00:8d2e:51ff:fe09:3c11", "2001:db8:ffff::1bc"]);
});

test("localized states stay UNKNOWN with the word kept; mapped and odd rows", () => {
  const text = [
    "",
    "Aktive Verbindungen",
    "",
    "  Proto  Lokale Adresse         Remoteadresse          Status           PID",
    "  TCP    127.0.0.1:18789        0.0.0.0:0              ABHÖREN         4242",
    "  TCP    [::ffff:127.0.0.1]:18789  [::ffff:127.0.0.1]:50001  HERGESTELLT     4242",
    "  TCP    127.0.0.1:18789        127.0.0.1:50002        ESTABLISHED",
    "  TCP    127.0.0.1:99999        127.0.0.1:50003        ESTABLISHED     1",
    "  UDP    0.0.0.0:5353           *:*                                    2244",
    "",
  ].join("\r\n");
  const parsed = parseWindowsNetstat(text);
  assert.equal(parsed.rejectedLines, 1);
  assert.deepEqual(parsed.entries.map((e) => [e.family, e.localAddress, e.remoteAddress, e.state, e.rawState, e.pid]), [
    [4, "127.0.0.1", "0.0.0.0", "UNKNOWN", "ABHÖREN", 4242],
    [6, "127.0.0.1", "127.0.0.1", "UNKNOWN", "HERGESTELLT", 4242],
    [4, "127.0.0.1", "127.0.0.1", "ESTABLISHED", undefined, undefined],
  ]);
});
