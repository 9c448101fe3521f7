import type { LocateEnv } from "../env.js";
import type { ProbeResult, ServiceRef } from "../finding.js";
import { tryReadFile, tryReaddir } from "../fs-probe.js";
import { parseLaunchdPlist } from "./launchd-plist.js";
import { findingsForService, unreadableServiceDiagnostic } from "./service-findings.js";

/**
 * ai.openclaw.gateway.plist and ai.openclaw.<profile>.plist. ai.openclaw.node is the node-host
 * service and ai.openclaw.update.* are one-shot updater jobs, not gateways.
 */
const GATEWAY_PLIST = /^ai\.openclaw\.(?!node\.plist$)(?!update\.).+\.plist$/;

export async function probeLaunchd(env: LocateEnv): Promise<ProbeResult> {
  const dir = env.path.join(env.homedir, "Library", "LaunchAgents");
  const names = (await tryReaddir(env.fs, dir)).filter((name) => GATEWAY_PLIST.test(name));
  // OPENCLAW_LAUNCHD_LABEL renames the job to anything, so its plist is looked for by name.
  const labelOverride = env.env.OPENCLAW_LAUNCHD_LABEL?.trim();
  const overrideName = labelOverride ? `${labelOverride}.plist` : null;
  if (overrideName !== null && !names.includes(overrideName)) names.push(overrideName);
  const results = await Promise.all(
    names.sort().map((name) => probePlist(env.path.join(dir, name), name, env, name === overrideName)),
  );
  return { findings: results.flatMap((r) => r.findings), diagnostics: results.flatMap((r) => r.diagnostics) };
}

async function probePlist(file: string, name: string, env: LocateEnv, mayBeAbsent: boolean): Promise<ProbeResult> {
  const fallbackLabel = name.replace(/\.plist$/, "");
  const text = await tryReadFile(env.fs, file);
  if (text === null) {
    const service: ServiceRef = { kind: "launchd", file, label: fallbackLabel };
    return { findings: [], diagnostics: mayBeAbsent ? [] : [unreadableServiceDiagnostic(service, "cannot be read")] };
  }
  const plist = parseLaunchdPlist(text);
  if (!plist.ok) {
    return { findings: [], diagnostics: [unreadableServiceDiagnostic({ kind: "launchd", file, label: fallbackLabel }, plist.reason)] };
  }
  const service: ServiceRef = { kind: "launchd", file, label: plist.label ?? fallbackLabel };
  return findingsForService(service, [plist.programArguments], env);
}
