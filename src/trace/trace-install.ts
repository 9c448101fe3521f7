import path from "node:path";
import { TRACE_FILE_NAME } from "../runtime/tracing/file.js";

/** The OpenClaw state folder a trace at its default place belongs to (`<state>/logs/<trace>`), else the trace's path. */
export function traceInstall(tracePath: string): string {
  const logs = path.dirname(tracePath);
  return path.basename(tracePath) === TRACE_FILE_NAME && path.basename(logs) === "logs" ? path.dirname(logs) : tracePath;
}
