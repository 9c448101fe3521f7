import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { TRACE_SWITCH_ACK_ENV, traceSwitchRequestFile } from "./trace-switch.js";

const SWITCH_MODULE = new URL("./trace-switch.js", import.meta.url).href;

/**
 * Runs `script` in a child that preloads the switch the way bench gateways do, and prints what
 * the script reports. Real signals: the child writes a request, sends SIGUSR2 to itself and waits
 * for the ack to that request, which it returns without the flush's CPU figure.
 */
function runWithSwitch(script: string): string[] {
  const dir = mkdtempSync(join(os.tmpdir(), "ocp-trace-switch-"));
  try {
    const ack = join(dir, "ack");
    const prelude = `
      import { readFileSync, writeFileSync } from "node:fs";
      const ack = ${JSON.stringify(ack)};
      const readAck = () => { try { return readFileSync(ack, "utf8").trim().split(" "); } catch { return []; } };
      let requests = 0;
      const request = async (command) => {
        requests += 1;
        writeFileSync(${JSON.stringify(traceSwitchRequestFile(ack))}, requests + " " + command);
        process.kill(process.pid, "SIGUSR2");
        for (let i = 0; i < 200 && readAck()[0] !== String(requests); i++) await new Promise((r) => setTimeout(r, 10));
        return readAck();
      };
      const flip = async () => (await request("switch")).slice(0, 2).join(" ");
      const state = () => globalThis[Symbol.for("openclaw-patch.runtime")];
    `;
    const output = execFileSync(process.execPath, ["--import", SWITCH_MODULE, "--input-type=module", "-e", prelude + script], {
      env: { ...process.env, [TRACE_SWITCH_ACK_ENV]: ack },
      encoding: "utf8",
      timeout: 20_000,
    });
    return output.trim().split("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("each switch request parks the runtime's trace sinks or puts the same ones back, and acknowledges the phase", () => {
  const lines = runWithSwitch(`
    const sink = () => {};
    globalThis[Symbol.for("openclaw-patch.runtime")] = { schema: 4, traceSinks: new Set([sink]) };
    console.log(await flip(), state().traceSinks.size);
    console.log(await flip(), state().traceSinks.size, [...state().traceSinks][0] === sink);
    console.log(await flip(), state().traceSinks.size);
  `);
  assert.deepEqual(lines, ["1 off 0", "2 lifecycle 1 true", "3 off 0"]);
});

test("a flush request has the tracer write what it holds, keeps the phase, and reports the CPU it took", () => {
  const lines = runWithSwitch(`
    let flushed = 0;
    const tracer = { flushSync: () => { flushed += 1; } };
    globalThis[Symbol.for("openclaw-patch.runtime")] = { schema: 4, traceSinks: new Set([() => {}]), tracer };
    const [count, phase, micros] = await request("flush");
    console.log(count, phase, flushed, Number.isInteger(Number(micros)) && Number(micros) >= 0);
  `);
  assert.deepEqual(lines, ["1 lifecycle 1 true"]);
});

test("with no tracer running the switch can only report off, which the bench treats as an error", () => {
  const lines = runWithSwitch(`
    console.log(await flip());
    console.log(await flip());
  `);
  assert.deepEqual(lines, ["1 off", "2 off"]);
});
