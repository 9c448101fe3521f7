import fs from "node:fs/promises";
import type { ServiceDefinition } from "../locate/service/gateway-services.js";
import { wrapperInDefinition } from "./services.js";

/**
 * Whether the service definition OpenClaw wrote starts through `wrapperPath`: as OPENCLAW_WRAPPER
 * in its environment, or as the program in its command line (macOS 2026.9 keeps the environment in
 * a separate file, so the path alone must count).
 */
export async function serviceUsesWrapper(service: ServiceDefinition, wrapperPath: string): Promise<boolean> {
  const text = await fs.readFile(service.path, "utf8").catch(() => undefined);
  if (text === undefined) return false;
  return wrapperInDefinition(service.kind, text) === wrapperPath || text.includes(wrapperPath);
}
