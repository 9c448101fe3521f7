import type { LocateEnv } from "../env.js";
import type { ProbeResult, ServiceRef } from "../finding.js";
import { findGatewayServices, taskScriptsFromEnv, type ServiceDefinition } from "./gateway-services.js";
import { readServiceCommands } from "./service-commands.js";
import { findingsForService, unreadableServiceDiagnostic } from "./service-findings.js";

/** The installs the platform's gateway service definitions start. */
export async function probeServices(env: LocateEnv): Promise<ProbeResult> {
  const services = await findGatewayServices(env);
  const results = await Promise.all(services.map((service) => probeService(service, env)));
  return { findings: results.flatMap((r) => r.findings), diagnostics: results.flatMap((r) => r.diagnostics) };
}

async function probeService(service: ServiceDefinition, env: LocateEnv): Promise<ProbeResult> {
  const read = await readServiceCommands(service, env);
  if (!read.ok) return { findings: [], diagnostics: [unreadableServiceDiagnostic(serviceRef(service, env), read.reason)] };
  return findingsForService(serviceRef(service, env, read.label), read.commands, env);
}

const DEFAULT_TASK_NAME = "OpenClaw Gateway";

/** How an install names the service that starts it (the shape of `Install.service`). */
function serviceRef(service: ServiceDefinition, env: LocateEnv, label?: string): ServiceRef {
  switch (service.kind) {
    case "systemd":
      return { kind: "systemd", file: service.path, unitName: service.name };
    case "launchd":
      return { kind: "launchd", file: service.path, label: label ?? service.name };
    case "schtasks":
      return { kind: "schtasks", file: service.path, taskName: taskName(service, env) };
  }
}

/** OpenClaw names the task after the profile; a script the environment points at takes the environment's name. */
function taskName(service: ServiceDefinition, env: LocateEnv): string {
  const fromEnv = taskScriptsFromEnv(env).some((file) => file.toLowerCase() === service.path.toLowerCase());
  if (fromEnv) return env.env.OPENCLAW_WINDOWS_TASK_NAME?.trim() || profileTaskName(env.env.OPENCLAW_PROFILE);
  return profileTaskName(service.profile ?? undefined);
}

function profileTaskName(profile: string | undefined): string {
  const trimmed = profile?.trim();
  return trimmed && trimmed.toLowerCase() !== "default" ? `${DEFAULT_TASK_NAME} (${trimmed})` : DEFAULT_TASK_NAME;
}
