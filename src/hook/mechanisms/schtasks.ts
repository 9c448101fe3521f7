import { fail } from "../../core/diagnostics.js";
import { modifiedFile, olderRelease, requireFile, requireService, unavailable, type HookDriver } from "../driver.js";
import { cmdArg, cmdQuote } from "../quote.js";
import { HOOK_MARKER, repatchArguments, type RepatchTarget } from "../repatch.js";

/**
 * The line inserted before the gateway command. It starts with `@echo` because every OpenClaw
 * release (2026.1.29 … 2026.9.6) reads gateway.cmd back by skipping `@echo`, `rem`, `set` and
 * `cd /d` lines and taking the first other line as the gateway command: an ordinary line here would
 * be mistaken for the gateway by `openclaw gateway status` and `openclaw doctor`. `echo off` is
 * already in effect, so running it again changes nothing; the trailing `rem` marks the line.
 * cmd.exe cannot bound a child's run time portably, so the re-patch is not time-limited here.
 */
export function renderCmdHookLine(target: RepatchTarget): string {
  const repatch = [cmdQuote(target.nodePath), cmdQuote(target.cliPath), ...repatchArguments(target).map(cmdArg)].join(" ");
  return `@echo off & if exist ${cmdQuote(target.cliPath)} ${repatch} 1>&2 & rem ${HOOK_MARKER}: remove with openclaw-patch hook uninstall`;
}

/**
 * Inserts `line` before the gateway command line, with the file's own line ending. Works on bytes
 * (latin1 is one char per byte) so every other byte stays as it was, whatever the file's code page.
 */
export function insertCmdHook(original: Buffer, line: string): Buffer {
  if (original[0] === 0xff && original[1] === 0xfe) {
    fail("OCP_HOOK_CMD_UNSUPPORTED", "gateway.cmd is UTF-16 encoded", "use `--mechanism none` and start the gateway through the wrapper");
  }
  if (!/^[\x20-\x7e]*$/.test(line)) {
    fail(
      "OCP_HOOK_CMD_NON_ASCII",
      "a path in the re-patch line is not plain ASCII, and cmd.exe would misread it in gateway.cmd's code page",
      "install openclaw-patch and node under ASCII-only paths, or use `--mechanism none`",
    );
  }
  const text = original.toString("latin1");
  if (findCmdHook(text) !== undefined) {
    fail("OCP_HOOK_ALREADY_PRESENT", "gateway.cmd already runs the openclaw-patch hook", "run `openclaw-patch hook status`");
  }
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const at = gatewayLineStart(text);
  if (at === undefined) {
    fail("OCP_HOOK_CMD_UNRECOGNIZED", "gateway.cmd has no command line to put the re-patch before", "reinstall the service with `openclaw gateway install --force`, then run the hook install again");
  }
  return Buffer.concat([original.subarray(0, at), Buffer.from(`${line}${eol}`, "latin1"), original.subarray(at)]);
}

/** Undoes insertCmdHook; undefined when gateway.cmd carries no hook line. */
export function removeCmdHook(edited: Buffer): Buffer | undefined {
  const found = findCmdHook(edited.toString("latin1"));
  if (found === undefined) return undefined;
  return Buffer.concat([edited.subarray(0, found.start), edited.subarray(found.end)]);
}

export function hasCmdHook(content: Buffer): boolean {
  return findCmdHook(content.toString("latin1")) !== undefined;
}

interface Line {
  start: number;
  /** Offset just past the line ending. */
  end: number;
  text: string;
}

function lines(text: string): Line[] {
  const result: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline + 1;
    result.push({ start, end, text: text.slice(start, end).replace(/\r?\n$/, "") });
    start = end;
  }
  return result;
}

const PREAMBLE = /^(?:@echo\b|@chcp\b|rem(?:\s|$)|::|set\s|cd \/d\s)/i;

function gatewayLineStart(text: string): number | undefined {
  return lines(text).find((line) => line.text.trim() !== "" && !PREAMBLE.test(line.text.trim()))?.start;
}

function findCmdHook(text: string): { start: number; end: number } | undefined {
  const line = lines(text).find((l) => l.text.startsWith("@echo off & ") && l.text.includes(`& rem ${HOOK_MARKER}:`));
  return line === undefined ? undefined : { start: line.start, end: line.end };
}

/**
 * For releases without OPENCLAW_WRAPPER: OpenClaw rewrites gateway.cmd on `openclaw update` and
 * `gateway install --force`, which drops the edit (status reports it).
 */
export const schtasksDriver: HookDriver<"schtasks"> = {
  mechanism: "schtasks",
  option({ platform, service, wrapperSupported }) {
    if (platform !== "win32") return unavailable("schtasks", "Scheduled Task scripts exist on Windows only");
    if (service?.kind !== "schtasks") return unavailable("schtasks", "no OpenClaw gateway.cmd was found");
    return {
      mechanism: "schtasks",
      available: true,
      reason: `${service.path} found${olderRelease(wrapperSupported)}: one line before the gateway command re-patches; \`openclaw update\` rewrites gateway.cmd and drops it, so re-run \`hook install\` after it (\`hook status\` tells)`,
    };
  },
  async plan(_ctx, target, { service }) {
    const script = requireService(service);
    const original = await requireFile(script.path);
    return {
      files: [
        modifiedFile(script.path, "task-script", original, insertCmdHook(removeCmdHook(original) ?? original, renderCmdHookLine(target)), "insert one re-patch line before the gateway command"),
      ],
      activation: [],
      uninstallCommands: { beforeFiles: [], afterFiles: [] },
      instructions: [
        "the re-patch runs at the next start of the Scheduled Task",
        // cmd.exe reads a batch file by offset, line by line, so a running task sees a shifted file.
        "if the task is running now, cmd.exe re-reads gateway.cmd at its old position when the gateway exits and may print one harmless error; restart the task to start clean",
        `\`openclaw update\` and \`openclaw gateway install --force\` rewrite ${script.path} and drop the hook: run \`openclaw-patch hook install --yes\` after them`,
      ],
    };
  },
  edit: { role: "task-script", has: hasCmdHook, remove: removeCmdHook },
};
