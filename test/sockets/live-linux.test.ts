import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { readTcpTable } from "../../src/sockets/read-table.js";
import { summarizeGatewaySockets, verdict } from "../../src/sockets/summary.js";
import type { TcpEntry, TcpState } from "../../src/sockets/types.js";

const onLinux = process.platform === "linux";

interface Pair {
  server: net.Server;
  accepted: net.Socket;
  client: net.Socket;
  port: number;
  clientPort: number;
}

/** allowHalfOpen keeps Node from answering the client's FIN, which is how a stalled gateway looks. */
async function openPair(host: string): Promise<Pair> {
  const server = net.createServer({ allowHalfOpen: true });
  server.listen(0, host);
  await once(server, "listening");
  const port = (server.address() as net.AddressInfo).port;
  const acceptedPromise = once(server, "connection");
  const client = net.connect({ host, port });
  await once(client, "connect");
  const [accepted] = (await acceptedPromise) as [net.Socket];
  return { server, accepted, client, port, clientPort: client.localPort ?? 0 };
}

async function closePair(pair: Pair): Promise<void> {
  pair.client.destroy();
  pair.accepted.destroy();
  await new Promise((resolve) => pair.server.close(resolve));
}

/** The kernel moves states asynchronously; look a bounded number of times. */
async function tableWhen(predicate: (entries: TcpEntry[]) => boolean): Promise<TcpEntry[]> {
  let entries: TcpEntry[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    entries = (await readTcpTable({ platform: "linux", ownerPids: [process.pid] })).entries;
    if (predicate(entries)) return entries;
    await sleep(20);
  }
  return entries;
}

function find(entries: TcpEntry[], localPort: number, remotePort: number, state: TcpState): TcpEntry | undefined {
  return entries.find((e) => e.localPort === localPort && e.remotePort === remotePort && e.state === state);
}

async function checkBothEnds(host: string, expectedFamily: 4 | 6): Promise<void> {
  const pair = await openPair(host);
  try {
    const { port, clientPort } = pair;
    const live = await tableWhen((t) => !!find(t, port, clientPort, "ESTABLISHED") && !!find(t, clientPort, port, "ESTABLISHED"));
    const listen = live.find((e) => e.localPort === port && e.state === "LISTEN");
    const serverEnd = find(live, port, clientPort, "ESTABLISHED");
    const clientEnd = find(live, clientPort, port, "ESTABLISHED");
    for (const end of [listen, serverEnd, clientEnd]) {
      assert.ok(end, "row present");
      assert.equal(end.family, expectedFamily);
      assert.equal(end.localAddress, host);
      assert.equal(end.pid, process.pid, "owner found through /proc/self/fd");
      assert.ok((end.inode ?? 0) > 0);
    }
    assert.equal(serverEnd?.remoteAddress, host);

    pair.client.end(); // FIN from the client; the server never answers it
    const closing = await tableWhen((t) => !!find(t, port, clientPort, "CLOSE_WAIT") && !!find(t, clientPort, port, "FIN_WAIT_2"));
    assert.ok(find(closing, port, clientPort, "CLOSE_WAIT"), "server end in CLOSE_WAIT");
    assert.ok(find(closing, clientPort, port, "FIN_WAIT_2"), "client end in FIN_WAIT_2");

    const summary = summarizeGatewaySockets(closing, { port, gatewayPids: [process.pid] });
    assert.equal(summary.listening, 1);
    assert.equal(summary.gatewaySide.CLOSE_WAIT, 1);
    assert.equal(summary.peerSide.FIN_WAIT_2, 1);
    assert.deepEqual(summary.gatewayPids, [process.pid]);
    assert.equal(verdict(summary, { fixApplied: true }).code, "gateway-stalled");
  } finally {
    await closePair(pair);
  }
}

test("live IPv4 loopback: both ends, their states and owner", { skip: !onLinux && "needs /proc" }, async () => {
  await checkBothEnds("127.0.0.1", 4);
});

test("live IPv6 loopback: both ends, their states and owner", { skip: !onLinux && "needs /proc" }, async (t) => {
  const probe = net.createServer();
  const available = await new Promise<boolean>((resolve) => {
    probe.once("error", () => resolve(false));
    probe.listen(0, "::1", () => probe.close(() => resolve(true)));
  });
  if (!available) return t.skip("no ::1 on this machine");
  await checkBothEnds("::1", 6);
});

test("a whole-/proc owner scan also finds this process", { skip: !onLinux && "needs /proc" }, async () => {
  const pair = await openPair("127.0.0.1");
  try {
    const table = await readTcpTable({ platform: "linux" });
    assert.deepEqual(table.diagnostics, []);
    assert.equal(find(table.entries, pair.port, pair.clientPort, "ESTABLISHED")?.pid, process.pid);
  } finally {
    await closePair(pair);
  }
});
