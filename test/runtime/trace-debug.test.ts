import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { AddressInfo } from "node:net";
import type { RuntimeModule } from "../../src/runtime/contract.js";
import { FAST_CONFIG, attachOptions, healthyClient, loadRuntime, startGateway, type Gateway } from "./helpers.js";
import { connectionIdFor, resetTracing, tempDir, waitForRecords } from "../trace/runtime-tracing.js";

describe("trace: OPENCLAW_PATCH_TRACE=debug", () => {
  let runtime: RuntimeModule;
  let gateway: Gateway;
  let file: string;

  before(async () => {
    file = path.join(tempDir("trace-debug"), "trace.jsonl");
    resetTracing({ level: "debug", file });
    runtime = await loadRuntime();
    gateway = await startGateway(runtime.attach(attachOptions({ heartbeat: true })));
  });
  after(async () => {
    await gateway.stop();
    resetTracing({});
  });

  it("adds a line per heartbeat ping and per pong, with the pong's delay", async () => {
    const { client } = await healthyClient(gateway.port);
    const port = ((client as unknown as { _socket: { address(): AddressInfo } })._socket.address()).port;
    const conn = await connectionIdFor(file, port);
    const records = await waitForRecords(
      file,
      (all) => all.filter((r) => r.conn === conn && r.ev === "pong").length >= 2,
      "two pongs",
      FAST_CONFIG.heartbeatMs * 10,
    );
    const pings = records.filter((r) => r.conn === conn && r.ev === "ping");
    const pongs = records.filter((r) => r.conn === conn && r.ev === "pong");
    assert.ok(pings.length >= 2);
    assert.ok(pings.every((r) => r.source === "own"));
    assert.ok(pongs.every((r) => typeof r.waitedMs === "number" && r.waitedMs < FAST_CONFIG.pongTimeoutMs));
    assert.equal(records.find((r) => r.ev === "started")!.level, "debug");
    client.close();
  });
});
