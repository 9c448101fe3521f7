// What the runtime itself costs per connection, counted by callgrind on runtime-cost-server.ts: a
// bare ws server, then the same server hosting the runtime with tracing off and at the lifecycle
// level. Unlike the gateway's own count, which moves by several per cent between processes, these
// counts repeat to within about 0.1 %, so they show what a change to the runtime did.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { WebSocket } from "ws";
import { within } from "../runtime/helpers.js";
import { instructionsCollected, instrument } from "./gateway-callgrind.js";
import { runConnections } from "./gateway-churn.js";

const SERVER = fileURLToPath(new URL("./runtime-cost-server.js", import.meta.url));
const START_TIMEOUT_MS = 120_000;
const CONNECTION_TIMEOUT_MS = 30_000;
const SETTLE_MS = 500;

export interface RuntimeCostOptions {
  nodeBin: string;
  /** A package root whose node_modules hold the ws the gateway uses. */
  packageRoot: string;
  /** The shipped runtime file (openclaw-patch-runtime.mjs of a patched install). */
  runtimeFile: string;
  scratch: string;
  warmup: number;
  counted: number;
  concurrency: number;
}

export interface RuntimeCost {
  bareWs: number;
  traceOff: number;
  traceLifecycle: number;
}

/** Connect, send one message, wait for the answer, drop the connection: the gateway churn's shape. */
function oneConnection(port: number): Promise<void> {
  return within(
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}`);
      socket.once("open", () => socket.send(JSON.stringify({ type: "connect" })));
      socket.once("message", () => {
        socket.terminate();
        resolve();
      });
      socket.once("error", reject);
    }),
    CONNECTION_TIMEOUT_MS,
    "a connection to the runtime cost server",
  );
}

async function countOne(label: string, runtime: string, trace: string, options: RuntimeCostOptions, wsEntry: string): Promise<number> {
  const dir = join(options.scratch, `runtime-cost-${label}`);
  mkdirSync(dir, { recursive: true });
  const outFile = join(dir, "callgrind.out");
  const vgdbPrefix = join(dir, "vgdb");
  const args = ["--tool=callgrind", "--instr-atstart=no", "--smc-check=all-non-file", `--vgdb-prefix=${vgdbPrefix}`, `--callgrind-out-file=${outFile}`, `--log-file=${outFile}.log`, options.nodeBin, SERVER];
  const env = { ...process.env, OCP_COST_WS: wsEntry, OCP_COST_RUNTIME: runtime, OPENCLAW_PATCH_TRACE: trace, OPENCLAW_PATCH_TRACE_FILE: join(dir, "trace.jsonl") };
  const child = spawn("valgrind", args, { env, stdio: ["ignore", "ignore", "ignore", "ipc"] });
  try {
    const port = await within(new Promise<number>((resolve, reject) => {
      child.once("message", (message) => resolve((message as { port: number }).port));
      child.once("exit", (code) => reject(new Error(`runtime cost server exited with ${code}; see ${outFile}.log`)));
    }), START_TIMEOUT_MS, "the runtime cost server to listen");
    await runConnections(options.warmup, options.concurrency, () => oneConnection(port));
    await sleep(SETTLE_MS);
    instrument(child.pid!, true, vgdbPrefix);
    await runConnections(options.counted, options.concurrency, () => oneConnection(port));
    await sleep(SETTLE_MS);
    instrument(child.pid!, false, vgdbPrefix);
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    if (child.connected) child.send("exit");
    else child.kill("SIGKILL");
    await within(exited, START_TIMEOUT_MS, "the runtime cost server to exit").catch(() => child.kill("SIGKILL"));
  }
  return instructionsCollected(`${outFile}.log`) / options.counted;
}

export async function countRuntimeCost(options: RuntimeCostOptions): Promise<RuntimeCost> {
  const wsEntry = createRequire(join(options.packageRoot, "package.json")).resolve("ws");
  return {
    bareWs: await countOne("bare", "none", "off", options, wsEntry),
    traceOff: await countOne("off", options.runtimeFile, "off", options, wsEntry),
    traceLifecycle: await countOne("lifecycle", options.runtimeFile, "lifecycle", options, wsEntry),
  };
}
