import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseProcNetTcp, readProcNetTcp } from "../../src/sockets/linux-proc.js";
import { summarizeGatewaySockets } from "../../src/sockets/summary.js";
import { FIXTURES, fixtureText, nonZero } from "./fixtures.js";

const PORT = 18789;

test("zombies fixture: both files, exact counts on each side", () => {
  const table = readProcNetTcp({ procRoot: FIXTURES + "linux/zombies", littleEndian: true });
  assert.equal(table.failures.length, 0);
  assert.equal(table.filesRead.length, 2);
  assert.equal(table.rejectedLines, 0);
  assert.equal(table.entries.length, 26 + 9);
  assert.equal(table.entries.filter((e) => e.family === 6).length, 9);

  const summary = summarizeGatewaySockets(table.entries, { port: PORT });
  assert.deepEqual(nonZero(summary.gatewaySide), { LISTEN: 2, ESTABLISHED: 4, FIN_WAIT_2: 5, FIN_WAIT_1: 1, LAST_ACK: 1, TIME_WAIT: 2 });
  assert.deepEqual(nonZero(summary.peerSide), { ESTABLISHED: 5, CLOSE_WAIT: 5 });
  assert.equal(summary.listening, 2);
  assert.equal(summary.lingeringCloses, 7);
  assert.equal(summary.stalledCloses, 0);
});

test("stall fixture: gateway-side CLOSE_WAIT, held and still in the backlog", () => {
  const table = readProcNetTcp({ procRoot: FIXTURES + "linux/stall", littleEndian: true });
  assert.equal(table.entries.length, 20 + 5);
  const summary = summarizeGatewaySockets(table.entries, { port: PORT });
  assert.deepEqual(nonZero(summary.gatewaySide), { LISTEN: 2, ESTABLISHED: 2, CLOSE_WAIT: 7, TIME_WAIT: 1 });
  assert.deepEqual(nonZero(summary.peerSide), { ESTABLISHED: 2, FIN_WAIT_2: 7 });
  assert.equal(summary.stalledCloses, 7);

  const closeWait = table.entries.filter((e) => e.localPort === PORT && e.state === "CLOSE_WAIT");
  assert.equal(closeWait.filter((e) => e.inode === 0).length, 3, "unaccepted sockets have no inode");
  const listener = table.entries.find((e) => e.family === 4 && e.localPort === PORT && e.state === "LISTEN");
  assert.equal(listener?.recvQueue, 3, "a listener's rx_queue is its accept backlog");
});

test("rows decode addresses, ports, queues and inodes", () => {
  const v4 = parseProcNetTcp(fixtureText("linux/zombies/net/tcp"), { littleEndian: true }).entries;
  assert.deepEqual(v4[2], {
    family: 4,
    localAddress: "127.0.0.1",
    localPort: PORT,
    remoteAddress: "0.0.0.0",
    remotePort: 0,
    state: "LISTEN",
    sendQueue: 0,
    recvQueue: 0,
    inode: 48211,
  });
  assert.equal(v4[0]?.localAddress, "127.0.0.53");
  const finWait1 = v4.find((e) => e.state === "FIN_WAIT_1");
  assert.deepEqual([finWait1?.remoteAddress, finWait1?.remotePort, finWait1?.sendQueue, finWait1?.inode], ["127.2.2.1", 40301, 178416, 0]);

  const v6 = parseProcNetTcp(fixtureText("linux/zombies/net/tcp6"), { littleEndian: true }).entries;
  const mapped = v6.find((e) => e.localPort === 3000 && e.state === "ESTABLISHED");
  assert.deepEqual([mapped?.family, mapped?.localAddress, mapped?.remoteAddress, mapped?.remotePort], [6, "127.0.0.1", "127.0.0.1", 52000]);
  const ssh = v6.find((e) => e.localPort === 22 && e.state === "ESTABLISHED");
  assert.deepEqual([ssh?.localAddress, ssh?.remoteAddress, ssh?.remotePort], ["2001:db8:0:1::15", "2001:db8:0:1::99", 60122]);
  assert.equal(v6.find((e) => e.localPort === PORT && e.state === "LISTEN")?.localAddress, "::1");
  assert.equal(v6[0]?.localAddress, "::");

  const linkLocal = parseProcNetTcp(fixtureText("linux/stall/net/tcp6"), { littleEndian: true }).entries.at(-1);
  assert.deepEqual([linkLocal?.localAddress, linkLocal?.remoteAddress], ["fe80::a00:27ff:fe4e:66a1", "fe80::1"]);
});

test("a big-endian host prints address words in network order", () => {
  const line = "   0: 7F000001:4965 7F000001:C73A 01 00000000:00000000 00:00000000 00000000  1000        0 48305 1 0000000000000000 20 4 1 10 -1";
  const [entry] = parseProcNetTcp(line, { littleEndian: false }).entries;
  assert.equal(entry?.localAddress, "127.0.0.1");
  assert.equal(entry?.remotePort, 51002);
});

test("malformed rows are counted, not guessed", () => {
  const text = [
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
    "   0: 0100007F:4965 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 48211 1 0 100 0 0 10 0",
    "   1: 0100007F:49 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0",
    "   2: 0100007F:4965 00000000000000000000000001000000:0000 01 00000000:00000000 00:00000000 00000000 1000 0 2 1 0",
    "",
  ].join("\n");
  const parsed = parseProcNetTcp(text, { littleEndian: true });
  assert.equal(parsed.entries.length, 1);
  assert.equal(parsed.rejectedLines, 2);
});

test("a missing tcp6 (IPv6 disabled) is fine; a missing tcp is reported", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "ocp-proc-"));
  try {
    mkdirSync(path.join(root, "net"));
    writeFileSync(path.join(root, "net", "tcp"), fixtureText("linux/stall/net/tcp"));
    const onlyV4 = readProcNetTcp({ procRoot: root, littleEndian: true });
    assert.deepEqual(onlyV4.failures, []);
    assert.deepEqual(onlyV4.filesRead, [path.join(root, "net", "tcp")]);
    assert.equal(onlyV4.entries.length, 20);

    const none = readProcNetTcp({ procRoot: path.join(root, "absent") });
    assert.deepEqual(none.failures.map((f) => f.code), ["ENOENT"]);
    assert.equal(none.entries.length, 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
