import type { Diagnostic } from "../core/diagnostics.js";
import type { ServiceKind } from "./service/gateway-services.js";

/** The service definition that starts an install's gateway. */
export interface ServiceRef {
  kind: ServiceKind;
  file: string;
  /** systemd unit file name, e.g. "openclaw-gateway.service". */
  unitName?: string;
  /** launchd label, e.g. "ai.openclaw.gateway". */
  label?: string;
  /** Scheduled Task name, e.g. "OpenClaw Gateway". */
  taskName?: string;
}

/** One sighting of an install by one probe, before deduplication. */
export interface Finding {
  root: string;
  /** "<source>:<evidence>", e.g. "path:/usr/local/bin/openclaw" or "npm-root:/usr/lib/node_modules". */
  foundBy: string;
  service?: ServiceRef;
}

export interface ProbeResult {
  findings: Finding[];
  diagnostics: Diagnostic[];
}

export const EMPTY_PROBE: ProbeResult = { findings: [], diagnostics: [] };

export function foundBy(source: string, evidence: string): string {
  return `${source}:${evidence}`;
}
