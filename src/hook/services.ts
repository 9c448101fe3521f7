import fs from "node:fs/promises";
import path from "node:path";
import { fail } from "../core/diagnostics.js";
import type { Host } from "../core/host.js";
import { currentPackageEnv } from "../locate/env.js";
import { findGatewayServices, type ServiceDefinition, type ServiceHost } from "../locate/service/gateway-services.js";
import { xmlUnescape } from "./quote.js";

/** The hook reads and writes the real files, with this machine's path rules, whatever platform `host` plays. */
export function serviceHostOf(host: Host): ServiceHost {
  return { ...host, ...currentPackageEnv() };
}

/** The gateway service definitions of the platform's service manager. */
export async function findHookServices(host: Host): Promise<ServiceDefinition[]> {
  return findGatewayServices(serviceHostOf(host));
}

export interface ServiceSelector {
  /** A unit name, label, file name or path, as given by `--service`. */
  service?: string;
  profile?: string;
}

/**
 * Picks the one service to hook. Legacy units are only taken when nothing newer exists, since
 * OpenClaw migrates them away; several current candidates need `--service` or `--profile`.
 */
export function selectService(found: ServiceDefinition[], selector: ServiceSelector): ServiceDefinition | null {
  if (selector.service !== undefined) {
    const wanted = selector.service;
    const match = found.find((s) => s.name === wanted || s.path === wanted || s.name === `${wanted}.service` || path.basename(s.path) === wanted);
    if (match) return match;
    fail("OCP_HOOK_SERVICE_NOT_FOUND", `no gateway service named ${wanted}`, listRemedy(found), { found: found.map((s) => s.path) });
  }
  if (selector.profile !== undefined) {
    const profile = selector.profile === "default" ? null : selector.profile;
    const match = found.find((s) => s.profile === profile && !s.legacy);
    if (match) return match;
    fail("OCP_HOOK_SERVICE_NOT_FOUND", `no gateway service for profile ${selector.profile}`, listRemedy(found), { found: found.map((s) => s.path) });
  }
  const current = found.filter((s) => !s.legacy);
  const pool = current.length > 0 ? current : found;
  if (pool.length <= 1) return pool[0] ?? null;
  fail("OCP_HOOK_SERVICE_AMBIGUOUS", `${pool.length} gateway services found`, listRemedy(pool), {
    found: pool.map((s) => s.path),
  });
}

function listRemedy(found: ServiceDefinition[]): string {
  if (found.length === 0) return "install the gateway service with `openclaw gateway install`, or use `--mechanism none`";
  return `pass --service with one of: ${found.map((s) => s.name).join(", ")}`;
}

/** The OPENCLAW_WRAPPER recorded in a service definition, if any; read from the file OpenClaw wrote. */
export async function readServiceWrapper(service: ServiceDefinition): Promise<string | undefined> {
  const text = await fs.readFile(service.path, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  return wrapperInDefinition(service.kind, text);
}

export function wrapperInDefinition(kind: ServiceDefinition["kind"], text: string): string | undefined {
  let value: string | undefined;
  if (kind === "systemd") {
    value = /^Environment="?OPENCLAW_WRAPPER=((?:[^"\\\n]|\\.)*)"?\s*$/m.exec(text)?.[1]?.replace(/\\(.)/g, "$1");
  } else if (kind === "launchd") {
    const raw = /<key>OPENCLAW_WRAPPER<\/key>\s*<string>([^<]*)<\/string>/.exec(text)?.[1];
    value = raw === undefined ? undefined : xmlUnescape(raw);
  } else {
    value = /^set "?OPENCLAW_WRAPPER=([^"\r\n]*)"?\r?$/im.exec(text)?.[1]?.replaceAll("%%", "%");
  }
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

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
