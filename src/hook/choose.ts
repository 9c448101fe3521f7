import { fail } from "../core/diagnostics.js";
import type { HookMechanism } from "./mechanism.js";
import { WRAPPER_SINCE } from "./release-support.js";
import type { ServiceDefinition } from "../locate/service/gateway-services.js";

/** What choosing looks at; gathered by the caller so that choosing itself is a pure function. */
export interface HookFacts {
  platform: NodeJS.Platform;
  openclawVersion: string | null;
  wrapperSupported: boolean;
  /** The gateway service to hook, or null when none is installed. */
  service: ServiceDefinition | null;
  /** OPENCLAW_WRAPPER already in the service definition. */
  serviceWrapper?: string;
  /** Our own wrapper's path: a service already using it is not a foreign wrapper. */
  ownWrapperPath?: string;
}

export interface MechanismOption {
  mechanism: HookMechanism;
  available: boolean;
  reason: string;
}

export interface HookChoice {
  mechanism: HookMechanism;
  reason: string;
  /** Every other mechanism, with why it was not chosen or why it cannot be used. */
  alternatives: MechanismOption[];
}

/**
 * Preference, best first:
 * - systemd drop-in on Linux: survives `openclaw update` and `gateway install --force` (they rewrite
 *   the unit, never its drop-ins), works with every release, needs no OpenClaw command, and keeps
 *   working if openclaw-patch is removed (the "-" prefix);
 * - OPENCLAW_WRAPPER where the release has it: OpenClaw itself keeps it across reinstalls, updates
 *   and doctor repairs, on launchd and Scheduled Tasks alike;
 * - editing the plist or gateway.cmd for older releases: OpenClaw rewrites those files on
 *   `openclaw update` and `gateway install --force`, which drops the edit (status reports it);
 * - none: print the command line to run before the gateway.
 */
export function chooseMechanism(facts: HookFacts, requested?: HookMechanism): HookChoice {
  const options = [systemdOption(facts), wrapperOption(facts), launchdOption(facts), schtasksOption(facts), noneOption(facts)];
  const pick = requested === undefined ? options.find((o) => o.available) : options.find((o) => o.mechanism === requested);
  if (pick === undefined || !pick.available) {
    fail("OCP_HOOK_MECHANISM_UNAVAILABLE", `the ${requested ?? "requested"} hook cannot be used here: ${pick?.reason ?? "unknown mechanism"}`, "omit --mechanism to let openclaw-patch choose", {
      options,
    });
  }
  return { mechanism: pick.mechanism, reason: pick.reason, alternatives: options.filter((o) => o !== pick) };
}

function systemdOption({ platform, service }: HookFacts): MechanismOption {
  if (platform !== "linux") return unavailable("systemd", "systemd user units exist on Linux only");
  if (service?.kind !== "systemd") return unavailable("systemd", "no OpenClaw gateway systemd user unit was found");
  return {
    mechanism: "systemd",
    available: true,
    reason: `systemd user unit ${service.name} found: a drop-in's ExecStartPre=- runs the re-patch before every start, survives \`openclaw update\` and \`gateway install --force\` (they rewrite only the unit file), works with every OpenClaw release, and cannot keep the gateway from starting`,
  };
}

function wrapperOption({ openclawVersion, wrapperSupported, service, serviceWrapper, ownWrapperPath }: HookFacts): MechanismOption {
  if (!wrapperSupported) {
    return unavailable("wrapper", `OpenClaw ${openclawVersion ?? "(version unknown)"} has no OPENCLAW_WRAPPER support (checked present from ${WRAPPER_SINCE})`);
  }
  if (service === null) return unavailable("wrapper", "no gateway service is installed to register a wrapper with");
  if (serviceWrapper !== undefined && serviceWrapper !== ownWrapperPath) {
    return unavailable("wrapper", `the service already starts through another wrapper (${serviceWrapper}); replacing it would drop what it does`);
  }
  return {
    mechanism: "wrapper",
    available: true,
    reason: `OpenClaw ${openclawVersion} supports OPENCLAW_WRAPPER: \`gateway install --wrapper\` persists it in the service environment, and forced reinstalls, \`openclaw update\` and doctor repairs keep it`,
  };
}

function launchdOption({ platform, service, wrapperSupported }: HookFacts): MechanismOption {
  if (platform !== "darwin") return unavailable("launchd", "LaunchAgents exist on macOS only");
  if (service?.kind !== "launchd") return unavailable("launchd", "no OpenClaw gateway LaunchAgent was found");
  return {
    mechanism: "launchd",
    available: true,
    reason: `LaunchAgent ${service.name} found${olderRelease(wrapperSupported)}: its ProgramArguments get a /bin/sh prefix that re-patches, then execs the original command; \`openclaw update\` rewrites the plist and drops the prefix, so re-run \`hook install\` after it (\`hook status\` tells)`,
  };
}

function schtasksOption({ platform, service, wrapperSupported }: HookFacts): MechanismOption {
  if (platform !== "win32") return unavailable("schtasks", "Scheduled Task scripts exist on Windows only");
  if (service?.kind !== "schtasks") return unavailable("schtasks", "no OpenClaw gateway.cmd was found");
  return {
    mechanism: "schtasks",
    available: true,
    reason: `${service.path} found${olderRelease(wrapperSupported)}: one line before the gateway command re-patches; \`openclaw update\` rewrites gateway.cmd and drops it, so re-run \`hook install\` after it (\`hook status\` tells)`,
  };
}

function noneOption({ service }: HookFacts): MechanismOption {
  return {
    mechanism: "none",
    available: true,
    reason:
      service === null
        ? "no gateway service is installed: run the re-patch command before starting the gateway, or start it through the exec wrapper"
        : "changes nothing in the service: run the re-patch command yourself before the gateway starts",
  };
}

function olderRelease(wrapperSupported: boolean): string {
  return wrapperSupported ? "" : " and the release has no wrapper support";
}

function unavailable(mechanism: HookMechanism, reason: string): MechanismOption {
  return { mechanism, available: false, reason };
}
