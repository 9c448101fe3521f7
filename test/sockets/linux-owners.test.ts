import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readSocketOwners, withOwners } from "../../src/sockets/linux-owners.js";
import { readTcpTable } from "../../src/sockets/read-table.js";
import { summarizeGatewaySockets } from "../../src/sockets/summary.js";
import { FIXTURES } from "./fixtures.js";

/** A fake /proc: the zombies fixture's net/ plus fd links for a gateway (4242) and one client (7140). */
function fakeProc(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "ocp-owners-"));
  cpSync(path.join(FIXTURES, "linux/zombies/net"), path.join(root, "net"), { recursive: true });
  const links: Record<number, string[]> = {
    4242: ["/dev/null", "pipe:[9001]", "socket:[48211]", "socket:[48212]", "socket:[48305]", "socket:[48309]", "socket:[48313]", "socket:[48402]", "socket:[48406]", "socket:[48601]", "socket:[48605]", "anon_inode:[eventpoll]"],
    7140: ["socket:[48401]", "socket:[48405]", "socket:[48409]", "socket:[48413]"],
  };
  for (const [pid, targets] of Object.entries(links)) {
    mkdirSync(path.join(root, pid, "fd"), { recursive: true });
    targets.forEach((target, fd) => symlinkSync(target, path.join(root, pid, "fd", String(fd))));
  }
  mkdirSync(path.join(root, "9999")); // exited between readdir and read: no fd dir
  writeFileSync(path.join(root, "self"), ""); // not a pid
  return root;
}

test("socket inodes map to the pid holding them, with fd counts", () => {
  const root = fakeProc();
  try {
    const owners = readSocketOwners({ procRoot: root });
    assert.equal(owners.pidByInode.get(48211), 4242);
    assert.equal(owners.pidByInode.get(48413), 7140);
    assert.equal(owners.pidByInode.has(9001), false, "a pipe is not a socket");
    assert.equal(owners.pidByInode.size, 9 + 4);
    assert.deepEqual([...owners.fdCountByPid].sort(), [[4242, 12], [7140, 4]]);
    assert.deepEqual(owners.unreadablePids, []);

    const onlyGateway = readSocketOwners({ procRoot: root, pids: [4242, 31337] });
    assert.deepEqual([...onlyGateway.fdCountByPid.keys()], [4242]);
    assert.equal(onlyGateway.pidByInode.has(48401), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("inode 0 rows (orphans, TIME_WAIT) never get an owner", () => {
  const entries = withOwners(
    [
      { family: 4, localAddress: "127.0.0.1", localPort: 18789, remoteAddress: "127.0.0.1", remotePort: 1, state: "TIME_WAIT", inode: 0 },
      { family: 4, localAddress: "127.0.0.1", localPort: 18789, remoteAddress: "127.0.0.1", remotePort: 2, state: "ESTABLISHED", inode: 5 },
    ],
    new Map([[0, 1], [5, 4242]]),
  );
  assert.deepEqual(entries.map((e) => e.pid), [undefined, 4242]);
});

test("readTcpTable on Linux fills owners, and the summary reports them per side", async () => {
  const root = fakeProc();
  try {
    const table = await readTcpTable({ platform: "linux", procRoot: root });
    assert.deepEqual(table.diagnostics, []);
    assert.equal(table.source, `${path.join(root, "net", "tcp")} + ${path.join(root, "net", "tcp6")}`);
    const summary = summarizeGatewaySockets(table.entries, { port: 18789 });
    assert.deepEqual(summary.gatewayPids, [4242]);
    assert.deepEqual(summary.peerPids, [7140]);
    const orphans = table.entries.filter((e) => e.localPort === 18789 && e.state === "FIN_WAIT_2" && e.pid === undefined);
    assert.equal(orphans.length, 2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
