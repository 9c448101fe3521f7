import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { metricsCommand } from "../../src/commands/metrics.js";
import { isOcpError } from "../../src/core/diagnostics.js";
import { renderExposition } from "../../src/metrics/exposition.js";
import { FIXTURES, GATEWAY_TRACE, captureIO } from "../trace/fixtures.js";
import { tempDir } from "../trace/runtime-tracing.js";
import { promtoolCheck, promtoolSkipReason } from "./promtool.js";

const HEALTH_TRACE = path.join(FIXTURES, "health.jsonl");
const MIB = 2 ** 20;

async function exposition(file: string, options: { install?: string; textfile?: string } = {}): Promise<string> {
  const io = captureIO();
  await metricsCommand(file, options, io);
  return io.stdout.join("\n");
}

/** `name{labels} value` → value, for the sample whose labels include all of `labels`. */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-z0-9_]+)(\{.*\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    if (Object.entries(labels).every(([label, value]) => (match[2] ?? "").includes(`${label}="${value}"`))) return Number(match[3]);
  }
  return undefined;
}

describe("openclaw-patch metrics", () => {
  it("gives the latest figures and the counters of the trace, labelled with the install and the release", async () => {
    const text = await exposition(HEALTH_TRACE, { install: "/home/gw/.openclaw" });
    const labels = { install: "/home/gw/.openclaw", release: "2026.3.24" };
    assert.equal(valueOf(text, "openclaw_patch_info", { ...labels, tool_version: "0.1.0" }), 1);
    assert.equal(valueOf(text, "openclaw_patch_resident_memory_bytes", labels), 412 * MIB);
    assert.equal(valueOf(text, "openclaw_patch_heap_used_bytes", labels), 192 * MIB);
    assert.equal(valueOf(text, "openclaw_patch_event_loop_delay_p99_seconds", labels), 0.0005);
    assert.equal(valueOf(text, "openclaw_patch_sockets", { ...labels, state: "open" }), 1);
    assert.equal(valueOf(text, "openclaw_patch_reclaimed_sockets_total", { mechanism: "heartbeat" }), 1);
    assert.equal(valueOf(text, "openclaw_patch_gateway_restarts_total"), 2);
    assert.equal(valueOf(text, "openclaw_patch_gateway_unrecorded_ends_total"), 1);
    assert.equal(valueOf(text, "openclaw_patch_gateway_uncaught_exceptions_total"), 1);
    assert.equal(valueOf(text, "openclaw_patch_last_exit_code"), 0);
    assert.match(text, /^# TYPE openclaw_patch_reclaimed_sockets_total counter$/m);
    assert.match(text, /^# TYPE openclaw_patch_resident_memory_bytes gauge$/m);
  });

  it("leaves out what an older trace does not hold, and names the install after the state folder", async () => {
    const dir = tempDir("metrics-default");
    const trace = path.join(dir, "state", "logs", "openclaw-patch-trace.jsonl");
    fs.mkdirSync(path.dirname(trace), { recursive: true });
    fs.copyFileSync(GATEWAY_TRACE, trace);
    const text = await exposition(trace);
    assert.equal(valueOf(text, "openclaw_patch_resident_memory_bytes"), undefined, "no memory without health samples");
    assert.equal(valueOf(text, "openclaw_patch_open_files", { install: path.join(dir, "state") }), 38);
  });

  it("escapes label values", () => {
    const text = renderExposition([{ name: "x_total", help: "a\\b\nc", type: "counter", samples: [{ labels: { install: 'C:\\oc "a"\nb' }, value: 1 }] }]);
    assert.equal(text, '# HELP x_total a\\\\b\\nc\n# TYPE x_total counter\nx_total{install="C:\\\\oc \\"a\\"\\nb"} 1\n');
  });

  it("--textfile writes one readable .prom file per install, whole, and refuses a folder that is not one", async () => {
    const dir = tempDir("metrics-textfile");
    const printed = await exposition(HEALTH_TRACE, { install: "/home/gw/.openclaw" });
    const io = captureIO();
    await metricsCommand(HEALTH_TRACE, { install: "/home/gw/.openclaw", textfile: dir }, io);
    const file = path.join(dir, "openclaw-patch-home_gw_openclaw.prom");
    assert.deepEqual(io.stdout, [`wrote ${file}`]);
    assert.deepEqual(fs.readdirSync(dir), [path.basename(file)], "no temp left beside it");
    assert.equal(`${fs.readFileSync(file, "utf8")}`.trimEnd(), printed.trimEnd());
    if (process.platform !== "win32") assert.equal(fs.statSync(file).mode & 0o777, 0o644);
    await assert.rejects(
      metricsCommand(HEALTH_TRACE, { textfile: path.join(dir, "missing") }, captureIO()),
      (error: unknown) => isOcpError(error) && error.diagnostic.code === "OCP_METRICS_TEXTFILE_UNWRITABLE",
    );
  });

  it("passes promtool check metrics", { skip: promtoolSkipReason() }, async () => {
    for (const trace of [HEALTH_TRACE, GATEWAY_TRACE]) {
      const check = promtoolCheck(await exposition(trace));
      assert.ok(check.ok, `${path.basename(trace)}: ${check.output}`);
    }
  });
});
