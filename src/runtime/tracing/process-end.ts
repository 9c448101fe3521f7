import type { RuntimeEvent } from "./events.js";

/** What an uncaught exception tells about itself, read without running more of its code than Node does. */
export function uncaughtEvent(error: unknown, origin: unknown): RuntimeEvent {
  let errorClass: string = typeof error;
  let message = "";
  let frame: string | undefined;
  try {
    if (error instanceof Error) {
      errorClass = error.constructor?.name || error.name || "Error";
      message = typeof error.message === "string" ? error.message : "";
      frame = topFrameOf(error.stack);
    } else if (typeof error === "string") {
      message = error;
    }
  } catch {
    // A hostile getter: the class is all we report.
  }
  return { type: "uncaught", origin: origin === "unhandledRejection" ? "unhandledRejection" : "uncaughtException", errorClass, message, frame };
}

/** The first `at …` line of a V8 stack: where the error was thrown. */
function topFrameOf(stack: unknown): string | undefined {
  if (typeof stack !== "string") return undefined;
  const match = /^\s*at (.+)$/m.exec(stack.slice(0, 4_096));
  return match?.[1];
}

export function exitEvent(code: unknown): RuntimeEvent {
  return { type: "exited", code: typeof code === "number" && Number.isInteger(code) ? code : undefined, uptimeMs: Math.round(process.uptime() * 1_000) };
}
