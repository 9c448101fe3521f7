import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { freshGatewayCopy, nodeVersionForGateway, REPORTED_GATEWAY_VERSION } from "../support/gateway-install.js";
import { ensureNode } from "../support/node-binary.js";
import { runCli } from "../support/cli.js";
import { scratchFolders, scratchCopy } from "../support/packages.js";

const TEST_TIMEOUT_MS = 20 * 60_000;
const scratch = scratchFolders();

describe("verify runs the behavioural self-test of the injected runtime", () => {
  test(`an install with its dependencies: passes under the gateway's own Node (${REPORTED_GATEWAY_VERSION}, Node ${nodeVersionForGateway(REPORTED_GATEWAY_VERSION)})`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const dir = await scratch("self-test");
    const nodeBin = await ensureNode(nodeVersionForGateway(REPORTED_GATEWAY_VERSION));
    const root = await freshGatewayCopy(REPORTED_GATEWAY_VERSION, dir);
    const target = ["--dir", root, "--state-dir", path.join(dir, "state")];

    const before = await runCli(["verify", ...target, "--node", nodeBin, "--json"]);
    assert.equal(before.code, 1, "an unpatched install fails verify");
    assert.equal(before.json.selfTest, null, "and the self-test does not run on it");

    const applied = await runCli(["apply", ...target, "--json"]);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    // The gateway's trace at its default place: the self-test serves through the runtime, but it is
    // not the gateway and must write nothing there.
    const home = path.join(dir, "home");
    await fs.mkdir(home);
    const traceEnv = { HOME: home, OPENCLAW_STATE_DIR: undefined, OPENCLAW_PATCH_TRACE_FILE: undefined, OPENCLAW_PATCH_TRACE: undefined };
    const verified = await runCli(["verify", ...target, "--node", nodeBin, "--json"], traceEnv);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    await assert.rejects(fs.access(path.join(home, ".openclaw")), "the self-test wrote nothing under ~/.openclaw");
    const { selfTest } = verified.json;
    for (const check of selfTest.checks) t.diagnostic(`${check.passed ? "pass" : "FAIL"} ${check.name}: ${check.detail}${check.boundMs === null ? "" : ` (bound ${check.boundMs} ms)`}`);
    assert.equal(selfTest.status, "passed", JSON.stringify(selfTest, null, 2));
    assert.equal(selfTest.nodeVersion, `v${nodeVersionForGateway(REPORTED_GATEWAY_VERSION)}`);
    assert.equal(selfTest.nodeBinary, nodeBin);
    const wsPackage = JSON.parse(await fs.readFile(path.join(path.dirname(root), "ws", "package.json"), "utf8")) as { version: string };
    assert.equal(selfTest.ws.version, wsPackage.version, "the package's own ws");
    assert.ok(selfTest.ws.path.includes(`${path.sep}ws${path.sep}`));
    assert.deepEqual(selfTest.checks.map((c: { name: string }) => c.name), ["ignores-pings", "ignores-close-frame", "fills-window", "healthy-client", "healthy-close", "runtime-warnings"]);
    assert.ok(selfTest.checks.every((c: { passed: boolean }) => c.passed));

    const text = await runCli(["verify", ...target, "--node", nodeBin]);
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.match(text.stdout, /self-test passed \(v24\.14\.0 at .*, ws \d+\.\d+\.\d+/);

    const skipped = await runCli(["verify", ...target, "--node", nodeBin, "--no-self-test", "--json"]);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.equal(skipped.json.selfTest, null, "--no-self-test leaves it out");
  });

  test("a plain `npm pack` extract (no node_modules): skipped with the reason, not failed", { timeout: TEST_TIMEOUT_MS }, async () => {
    const dir = await scratch("self-test-pack");
    const root = await scratchCopy(REPORTED_GATEWAY_VERSION, dir);
    const target = ["--dir", root, "--state-dir", path.join(dir, "state")];
    assert.equal((await runCli(["apply", ...target])).code, 0);
    const verified = await runCli(["verify", ...target, "--json"]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.equal(verified.json.selfTest.status, "skipped");
    assert.match(verified.json.selfTest.reason, /cannot resolve its ws dependency/);
    const text = await runCli(["verify", ...target]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /self-test skipped: the package cannot resolve its ws dependency/);
  });
});
