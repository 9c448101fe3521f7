import { fail } from "../core/diagnostics.js";
import type { GatewayService } from "./gateway-service.js";
import { asPort, type GatewayConfigFacts } from "./openclaw-config.js";

export const DEFAULT_GATEWAY_PORT = 18789;

export type PortSource = "option" | "service" | "env" | "config" | "default";

export interface PortChoice {
  port: number;
  source: PortSource;
  /** Where exactly, for the operator: the service file, the config file, the variable. */
  from: string;
}

export interface PortInputs {
  /** --port as commander hands it over. */
  option?: string | number;
  service?: GatewayService;
  env: Record<string, string | undefined>;
  config?: GatewayConfigFacts;
}

/**
 * The gateway's own precedence is its --port argument, then OPENCLAW_GATEWAY_PORT, then
 * gateway.port in the config, then 18789. The service definition holds the argument; our own
 * environment stands in for the gateway's, which we cannot see.
 */
export function chooseGatewayPort(inputs: PortInputs): PortChoice {
  if (inputs.option !== undefined) {
    const port = asPort(inputs.option);
    if (port === undefined) fail("OCP_BAD_OPTION", `--port must be a TCP port number (1-65535), got ${JSON.stringify(String(inputs.option))}`, "for example --port 18789");
    return { port, source: "option", from: "--port" };
  }
  if (inputs.service?.port !== undefined) return { port: inputs.service.port, source: "service", from: `--port in ${inputs.service.file}` };
  const envPort = asPort(inputs.env.OPENCLAW_GATEWAY_PORT?.trim());
  if (envPort !== undefined) return { port: envPort, source: "env", from: "OPENCLAW_GATEWAY_PORT" };
  if (inputs.config?.port !== undefined) return { port: inputs.config.port, source: "config", from: `gateway.port in ${inputs.config.file}` };
  return { port: DEFAULT_GATEWAY_PORT, source: "default", from: "OpenClaw's default" };
}
