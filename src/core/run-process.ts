import { spawn } from "node:child_process";

/** A program and its arguments, run without a shell unless asked, so arguments arrive exactly as given. */
export interface ProcessCommand {
  argv: readonly string[];
  /** Variables set for this command only; an empty string sets the variable to empty. */
  env?: Record<string, string>;
  /** Written to the child's stdin, which is then closed; without it stdin is closed at once. */
  stdin?: Buffer;
}

export interface RunLimits {
  /** The child is killed (SIGKILL) after this long and the outcome says "timeout". */
  timeoutMs: number;
  /** Output kept per stream; the rest is read and dropped. Default 64 KiB. */
  maxOutputBytes?: number;
  /** Windows .cmd shims (npm, pnpm) only start through a shell; callers pass fixed names, never input. */
  shell?: boolean;
}

export interface ProcessOutcome {
  /** null when the command could not be started or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** ENOENT, EACCES, … when the program could not be started; "timeout" when it was killed. */
  startError?: string;
}

/**
 * The one way openclaw-patch runs another program (npm root -g, netstat, systemctl, launchctl,
 * openclaw gateway install). Injected so tests can answer with recorded output; never rejects.
 */
export type ProcessRunner<C extends ProcessCommand = ProcessCommand> = (command: C, limits: RunLimits) => Promise<ProcessOutcome>;

const DEFAULT_OUTPUT_BYTES = 64 * 1024;

export const runProcess: ProcessRunner = (command, limits) =>
  new Promise((resolve) => {
    const [program, ...args] = command.argv;
    if (program === undefined) {
      resolve({ code: null, stdout: "", stderr: "", startError: "EMPTY" });
      return;
    }
    const maxBytes = limits.maxOutputBytes ?? DEFAULT_OUTPUT_BYTES;
    const child = spawn(program, args, {
      env: { ...process.env, ...command.env },
      stdio: [command.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      windowsHide: true,
      shell: limits.shell === true,
    });
    const stdout = boundedSink(maxBytes);
    const stderr = boundedSink(maxBytes);
    let settled = false;
    const finish = (code: number | null, startError?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const outcome: ProcessOutcome = { code, stdout: stdout.text(), stderr: stderr.text() };
      resolve(startError === undefined ? outcome : { ...outcome, startError });
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(null, "timeout");
    }, limits.timeoutMs);
    // A child that exits before reading its input must not turn into an EPIPE on our side.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(command.stdin);
    child.stdout?.on("data", stdout.add);
    child.stderr?.on("data", stderr.add);
    child.on("error", (error: NodeJS.ErrnoException) => finish(null, error.code ?? error.message));
    child.on("close", (code) => finish(code));
  });

export function succeeded(outcome: ProcessOutcome): boolean {
  return outcome.code === 0 && outcome.startError === undefined;
}

/** Decoded once at the end, so a character split across chunks stays whole. */
function boundedSink(maxBytes: number): { add: (chunk: Buffer) => void; text: () => string } {
  const chunks: Buffer[] = [];
  let kept = 0;
  return {
    add: (chunk) => {
      if (kept >= maxBytes) return;
      const part = chunk.subarray(0, maxBytes - kept);
      chunks.push(part);
      kept += part.length;
    },
    text: () => Buffer.concat(chunks).toString("utf8"),
  };
}
