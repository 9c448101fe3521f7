import type { FileRole, HookDriver, ServiceFileEdit } from "./driver.js";
import { launchdDriver } from "./mechanisms/launchd.js";
import { noneDriver } from "./mechanisms/none.js";
import { schtasksDriver } from "./mechanisms/schtasks.js";
import { systemdDriver } from "./mechanisms/systemd.js";
import { wrapperDriver } from "./mechanisms/wrapper.js";

/**
 * Every hook mechanism, best first: the systemd drop-in where there is one; OPENCLAW_WRAPPER where
 * the release has it; editing the plist or gateway.cmd for older releases; none (print the command).
 */
export const HOOK_DRIVERS = [systemdDriver, wrapperDriver, launchdDriver, schtasksDriver, noneDriver] as const;

/** The ways the re-patch hook can be attached to the gateway's start. */
export type HookMechanism = (typeof HOOK_DRIVERS)[number]["mechanism"];

export const HOOK_MECHANISMS: readonly HookMechanism[] = ["wrapper", "systemd", "launchd", "schtasks", "none"];

export function isHookMechanism(value: string): value is HookMechanism {
  return (HOOK_MECHANISMS as readonly string[]).includes(value);
}

export function driverFor(mechanism: HookMechanism): HookDriver<HookMechanism> {
  return HOOK_DRIVERS.find((d) => d.mechanism === mechanism) as HookDriver<HookMechanism>;
}

/** The edit a driver makes in a file of this role, when the role is an edit of OpenClaw's file. */
export function editOf(role: FileRole): ServiceFileEdit | undefined {
  for (const driver of HOOK_DRIVERS) if ("edit" in driver && driver.edit?.role === role) return driver.edit;
  return undefined;
}
