import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import type { GatewayCallbacks, RuntimeModule } from "../../src/runtime/contract.js";
import { LOOPBACK, attachOptions, loadRuntime, startGateway, within, type Gateway } from "./helpers.js";
import { resetTracing, tempDir, waitForRecords } from "../trace/runtime-tracing.js";

/** Short secrets on purpose: only the "never record it" rule can keep these out, not the long-run scrubber. */
const SECRETS = {
  authorizationHeader: "hdr-s3cr3t",
  cookie: "cookie-s3cr3t",
  queryToken: "query-s3cr3t",
  connectToken: "connect-s3cr3t",
  connectPassword: "pw-s3cr3t",
  canvasCapability: "canvas-s3cr3t",
  reasonToken: "reason-s3cr3t",
  peerPassword: "hunter2",
  errorBearer: "bearer-s3cr3t",
  hexKey: "0123456789abcdef0123456789abcdef",
};

function openClient(port: number): Promise<WebSocket> {
  const client = new WebSocket(`ws://${LOOPBACK}:${port}/?token=${SECRETS.queryToken}&x=1`, {
    headers: { Authorization: `Bearer ${SECRETS.authorizationHeader}`, Cookie: `session=${SECRETS.cookie}` },
  });
  client.on("error", () => undefined);
  return within(
    new Promise<WebSocket>((resolve, reject) => {
      client.once("open", () => resolve(client));
      client.once("error", reject);
    }),
    3_000,
    "the client to open",
  );
}

describe("trace: no secrets in the file", () => {
  let runtime: RuntimeModule;
  let hooks: GatewayCallbacks;
  let gateway: Gateway;
  let file: string;

  before(async () => {
    file = path.join(tempDir("trace-secrets"), "trace.jsonl");
    resetTracing({ file });
    runtime = await loadRuntime();
    hooks = runtime.attach(attachOptions({ closeGrace: true }));
    gateway = await startGateway(hooks);
  });
  after(async () => {
    await gateway.stop();
    resetTracing({});
  });

  it("records no header, query, credential or secret-looking text", async () => {
    // Gateway-side close with a reason that embeds a token and a key.
    let serverSocket = gateway.nextSocket();
    const first = await openClient(gateway.port);
    let socket = await serverSocket;
    hooks.clientAuthenticated?.(socket, {
      connId: "0b6f4e1e-3c1a-4d5e-9f00-123456789abc",
      presenceKey: "device-1",
      canvasCapability: SECRETS.canvasCapability,
      connect: {
        role: "operator",
        client: { id: "cli", mode: "cli", version: "1.2.3", platform: "linux" },
        auth: { token: SECRETS.connectToken, password: SECRETS.connectPassword },
      },
    });
    hooks.errorObserved(socket, new Error(`upstream refused: Bearer ${SECRETS.errorBearer}`));
    const firstClosed = new Promise<void>((resolve) => first.once("close", () => resolve()));
    socket.close(1008, `auth failed token=${SECRETS.reasonToken} key ${SECRETS.hexKey}`);
    await within(firstClosed, 3_000, "the first client to close");

    // Peer-side close frame whose reason mentions a password.
    serverSocket = gateway.nextSocket();
    const second = await openClient(gateway.port);
    socket = await serverSocket;
    const secondClosed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    second.close(4000, `my password is ${SECRETS.peerPassword}`);
    await within(secondClosed, 3_000, "the second client to close");

    const records = await waitForRecords(file, (all) => all.filter((r) => r.ev === "closed").length >= 2, "both closed lines");
    const text = fs.readFileSync(file, "utf8");
    for (const [name, secret] of Object.entries(SECRETS)) assert.equal(text.includes(secret), false, `${name} leaked into the trace`);
    for (const word of ["authorization", "cookie", "?token", "x=1"]) assert.equal(text.toLowerCase().includes(word), false, `${word} recorded`);

    const gatewayClose = records.find((r) => r.ev === "close-start" && r.by === "gateway")!;
    assert.equal(gatewayClose.reason, "auth failed token=[redacted] key [redacted]");
    const peerFrame = records.find((r) => r.ev === "close-frame" && r.code === 4000)!;
    assert.equal(peerFrame.reason, "my password [redacted]");
    assert.equal(records.find((r) => r.ev === "error")!.message, "upstream refused: Bearer [redacted]");
    const auth = records.find((r) => r.ev === "auth")!;
    assert.deepEqual(Object.keys(auth).sort(), ["client", "conn", "ev", "gatewayConn", "mode", "pid", "platform", "role", "ts", "version"]);
  });

  it("scrubs client labels and drops a connection id that is not a UUID, when the line is written", async () => {
    const serverSocket = gateway.nextSocket();
    const client = await openClient(gateway.port);
    const socket = await serverSocket;
    const labelSecret = "label-s3cr3t";
    hooks.clientAuthenticated?.(socket, {
      connId: `session=${labelSecret}`,
      connect: {
        role: "operator",
        client: { id: `cli token=${labelSecret}`, mode: "cli ".repeat(50), version: SECRETS.hexKey, platform: "" },
      },
    });
    const records = await waitForRecords(file, (all) => all.some((r) => r.ev === "auth" && r.mode !== undefined && r.role === "operator"), "the auth line");
    const auth = records.findLast((r) => r.ev === "auth")!;
    assert.equal(fs.readFileSync(file, "utf8").includes(labelSecret), false, "the label's secret leaked into the trace");
    assert.equal(auth.gatewayConn, undefined);
    assert.equal(auth.client, "cli token=[redacted]");
    assert.equal(auth.mode, "cli ".repeat(16), "labels are capped");
    assert.equal(auth.version, "[redacted]");
    assert.equal(auth.platform, undefined, "an empty label is not written");
    client.close();
  });

  it("survives any client object in clientAuthenticated and keeps only string labels", async () => {
    const serverSocket = gateway.nextSocket();
    const client = await openClient(gateway.port);
    const socket = await serverSocket;
    const hostile = new Proxy({}, { get: () => { throw new Error("hostile"); } });
    for (const value of [undefined, null, 42, "client", hostile, { connect: hostile }, { connId: 7, connect: { role: { toString: () => "admin" }, client: "cli" } }]) {
      assert.doesNotThrow(() => hooks.clientAuthenticated?.(socket, value));
      // A hostile socket would switch the callback off (by design, see callback-safety); a hostile client must not.
      if (value !== hostile) assert.doesNotThrow(() => hooks.clientAuthenticated?.(value, value));
    }
    hooks.clientAuthenticated?.(socket, { connect: { role: "node" } });
    const records = await waitForRecords(file, (all) => all.some((r) => r.ev === "auth" && r.role === "node"), "the valid auth line");
    const auths = records.filter((r) => r.ev === "auth" && r.role !== "operator");
    assert.equal(auths.length, 8, "one line per call on the socket, none for garbage sockets");
    for (const line of auths.slice(0, -1)) assert.deepEqual(Object.keys(line).sort(), ["conn", "ev", "pid", "ts"]);
    client.close();
  });
});
