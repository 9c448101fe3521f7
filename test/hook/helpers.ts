import { mkdtempSync, rmSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CommandIO } from "../../src/cli/io.js";
import type { HookContext } from "../../src/hook/context.js";
import type { Host } from "../../src/core/host.js";
import type { RepatchTarget } from "../../src/hook/repatch.js";
import type { ProcessOutcome, ProcessRunner } from "../../src/core/run-process.js";
import type { ShownCommand } from "../../src/hook/commands.js";

/**
 * Every hook test passes its own temporary home explicitly; this sandbox only makes sure that a
 * default taken by mistake (os.homedir(), the state folder) never lands in the real user's files.
 */
const sandbox = mkdtempSync(path.join(os.tmpdir(), "ocp-hook-sandbox-"));
process.env.HOME = sandbox;
process.env.USERPROFILE = sandbox;
process.env.OPENCLAW_PATCH_STATE_DIR = path.join(sandbox, "state");
delete process.env.XDG_CONFIG_HOME;
delete process.env.XDG_STATE_HOME;
process.on("exit", () => rmSync(sandbox, { recursive: true, force: true }));

/** build/test/hook → repo root/fixtures/services/hook */
export const FIXTURES = fileURLToPath(new URL("../../../fixtures/services/hook/", import.meta.url));

export async function fixture(name: string): Promise<Buffer> {
  return fs.readFile(path.join(FIXTURES, name));
}

/** A fresh folder for one test; the caller removes it in `after`/`finally`. */
export async function tempDir(label: string): Promise<string> {
  return fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), `ocp-hook-${label}-`)));
}

export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** A stand-in OpenClaw package: package.json with `version`, and an openclaw.mjs that records its argv. */
export async function fakeOpenClawPackage(root: string, version: string, argvLog: string): Promise<void> {
  await fs.mkdir(path.join(root, "dist"), { recursive: true });
  await fs.writeFile(path.join(root, "package.json"), JSON.stringify({ name: "openclaw", version, bin: { openclaw: "openclaw.mjs" } }));
  await fs.writeFile(path.join(root, "dist", "index.js"), "");
  await fs.writeFile(path.join(root, "openclaw.mjs"), recorderScript(argvLog, "gateway"));
}

/**
 * A stand-in for openclaw-patch's cli.js. FAKE_REPATCH=fail exits 3, =hang never exits; every
 * run appends its argv and OPENCLAW_PATCH_HOOK to `log`.
 */
export async function fakeRepatchCli(file: string, log: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(
    file,
    `import { appendFileSync } from "node:fs";
appendFileSync(${JSON.stringify(log)}, JSON.stringify({ argv: process.argv.slice(2), hook: process.env.OPENCLAW_PATCH_HOOK ?? null }) + "\\n");
const mode = process.env.FAKE_REPATCH ?? "ok";
if (mode === "fail") process.exit(3);
if (mode === "hang") setInterval(() => {}, 1000);
`,
  );
}

/** A Node script that appends `{role, argv}` as one JSON line to `log`. */
export function recorderScript(log: string, role: string): string {
  return `import { appendFileSync } from "node:fs";
appendFileSync(${JSON.stringify(log)}, JSON.stringify({ role: ${JSON.stringify(role)}, argv: process.argv.slice(2) }) + "\\n");
`;
}

export async function readJsonLines(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await fs.readFile(file, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface RecordingRunner {
  runner: ProcessRunner<ShownCommand>;
  calls: ShownCommand[];
}

/** Never runs anything: answers from `answer` (default: success) and records what was asked. */
export function recordingRunner(answer: (command: ShownCommand) => Partial<ProcessOutcome> = () => ({})): RecordingRunner {
  const calls: ShownCommand[] = [];
  const runner: ProcessRunner<ShownCommand> = async (command) => {
    calls.push(command);
    return { code: 0, stdout: "", stderr: "", ...answer(command) };
  };
  return { runner, calls };
}

export function hostFor(home: string, platform: NodeJS.Platform, env: Record<string, string> = {}): Host {
  return { platform, homedir: home, env, uid: 501 };
}

export function contextFor(home: string, platform: NodeJS.Platform, runner: ProcessRunner<ShownCommand>, env: Record<string, string> = {}): HookContext {
  return {
    host: hostFor(home, platform, env),
    stateDir: path.join(home, "state", "openclaw-patch"),
    runner,
    lockWaitMs: 2_000,
    now: () => new Date("2026-09-10T12:00:00.000Z"),
  };
}

export function targetIn(home: string): RepatchTarget {
  return {
    nodePath: process.execPath,
    cliPath: path.join(home, "openclaw-patch", "build", "src", "cli.js"),
    packageRoot: path.join(home, "lib", "node_modules", "openclaw"),
    stateDir: path.join(home, "state", "openclaw-patch"),
  };
}

export interface CapturedIO extends CommandIO {
  stdout: string[];
  stderr: string[];
}

export function captureIO(json: boolean): CapturedIO {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { json, stdout, stderr, out: (text) => stdout.push(text), err: (text) => stderr.push(text) };
}

export async function exists(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => undefined)) !== undefined;
}
