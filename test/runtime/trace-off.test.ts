import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { attachOptions, healthyClient, loadRuntime, sleep, startGateway, within } from "./helpers.js";
import { resetTracing, runtimeStateIfAny, tempDir } from "../trace/runtime-tracing.js";

describe("trace: OPENCLAW_PATCH_TRACE=off", () => {
  it("installs nothing: no sink, no tracer, no sampler, no exit handler, no file", async () => {
    const dir = tempDir("trace-off");
    const file = path.join(dir, "logs", "trace.jsonl");
    resetTracing({ level: "off", file, stallMs: "50", summaryMs: "50" });
    const exitListeners = process.listenerCount("exit");
    const runtime = await loadRuntime();
    // closeGrace only: no fix that needs the stall detector, so any sampler would be the tracer's.
    const gateway = await startGateway(runtime.attach(attachOptions({ closeGrace: true })));
    const serverSocket = gateway.nextSocket();
    const { client } = await healthyClient(gateway.port);
    const socket = await serverSocket;
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    socket.close(1000, "bye");
    await within(closed, 2_000, "the client to close");
    await sleep(200);
    await gateway.stop();

    const state = runtimeStateIfAny()!;
    assert.equal(state.tracer, undefined);
    assert.equal(state.traceSinks.size, 0);
    assert.equal(state.stallDetector, undefined, "no stall sampler");
    assert.equal(process.listenerCount("exit"), exitListeners);
    assert.equal(Object.hasOwn(socket, "close"), false, "close is routed once on ws's prototype, not wrapped per socket");
    assert.equal(fs.existsSync(path.join(dir, "logs")), false, "no folder, no file");
  });
});
