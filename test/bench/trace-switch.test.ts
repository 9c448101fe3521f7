import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { TRACE_SWITCH_ACK_ENV } from "./trace-switch.js";

const SWITCH_MODULE = new URL("./trace-switch.js", import.meta.url).href;

/**
 * Runs `script` in a child that preloads the switch the way bench gateways do, and prints what
 * the script reports. Real signals: the child sends SIGUSR2 to itself and waits for the ack.
 */
function runWithSwitch(script: string): string[] {
  const dir = mkdtempSync(join(os.tmpdir(), "ocp-trace-switch-"));
  try {
    const ack = join(dir, "ack");
    const prelude = `
      import { readFileSync } from "node:fs";
      const ack = ${JSON.stringify(ack)};
      const readAck = () => { try { return readFileSync(ack, "utf8").trim(); } catch { return ""; } };
      const flip = async (expected) => {
        process.kill(process.pid, "SIGUSR2");
        for (let i = 0; i < 200 && readAck() !== expected; i++) await new Promise((r) => setTimeout(r, 10));
        return readAck();
      };
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

test("each SIGUSR2 parks the runtime's trace sinks or puts the same ones back, and acknowledges the phase", () => {
  const lines = runWithSwitch(`
    const sink = () => {};
    globalThis[Symbol.for("openclaw-patch.runtime")] = { schema: 4, traceSinks: new Set([sink]) };
    console.log(await flip("1 off"), state().traceSinks.size);
    console.log(await flip("2 lifecycle"), state().traceSinks.size, [...state().traceSinks][0] === sink);
    console.log(await flip("3 off"), state().traceSinks.size);
  `);
  assert.deepEqual(lines, ["1 off 0", "2 lifecycle 1 true", "3 off 0"]);
});

test("with no tracer running the switch can only report off, which the bench treats as an error", () => {
  const lines = runWithSwitch(`
    console.log(await flip("1 off"));
    console.log(await flip("2 off"));
  `);
  assert.deepEqual(lines, ["1 off", "2 off"]);
});
