import type { Diagnostic } from "../core/diagnostics.js";
import type { Host } from "../core/host.js";
import { findGatewayService, type GatewayService } from "./gateway-service.js";
import { chooseGatewayPort, type PortChoice } from "./gateway-port.js";
import { readGatewayConfig, type GatewayConfigFacts } from "./openclaw-config.js";

/** Where this install's gateway runs and how it is started, as far as files on this machine tell. */
export interface GatewayFacts {
  port: PortChoice;
  service?: GatewayService;
  config: GatewayConfigFacts;
  diagnostics: Diagnostic[];
}

export interface GatewayFactsInput extends Pick<Host, "env" | "homedir"> {
  realRoot: string;
  stateDir: string;
  foundBy: readonly string[];
  portOption?: string | number;
}

export async function gatewayFacts(input: GatewayFactsInput): Promise<GatewayFacts> {
  const lookup = { env: input.env, homedir: input.homedir };
  const [services, config] = await Promise.all([findGatewayService({ ...input, ...lookup }), readGatewayConfig(lookup)]);
  const port = chooseGatewayPort({
    ...(input.portOption === undefined ? {} : { option: input.portOption }),
    ...(services.service === undefined ? {} : { service: services.service }),
    env: input.env,
    config,
  });
  return {
    port,
    ...(services.service === undefined ? {} : { service: services.service }),
    config,
    diagnostics: [...services.diagnostics, ...config.diagnostics],
  };
}
