import type { FileRole, HookDriver, HookMechanism, ServiceFileEdit } from "./driver.js";
import { launchdDriver } from "./mechanisms/launchd.js";
import { noneDriver } from "./mechanisms/none.js";
import { schtasksDriver } from "./mechanisms/schtasks.js";
import { systemdDriver } from "./mechanisms/systemd.js";
import { wrapperDriver } from "./mechanisms/wrapper.js";

/** One driver per mechanism: the compiler refuses a mechanism without one. */
const BY_MECHANISM: { [M in HookMechanism]: HookDriver<M> } = {
  systemd: systemdDriver,
  wrapper: wrapperDriver,
  launchd: launchdDriver,
  schtasks: schtasksDriver,
  none: noneDriver,
};

/**
 * Every driver, best first: the systemd drop-in where there is one; OPENCLAW_WRAPPER where the
 * release has it; editing the plist or gateway.cmd for older releases; none (print the command).
 */
export const HOOK_DRIVERS: readonly HookDriver[] = [BY_MECHANISM.systemd, BY_MECHANISM.wrapper, BY_MECHANISM.launchd, BY_MECHANISM.schtasks, BY_MECHANISM.none];

export function driverFor(mechanism: HookMechanism): HookDriver {
  return BY_MECHANISM[mechanism];
}

/** The edit a driver makes in a file of this role, when the role is an edit of OpenClaw's file. */
export function editOf(role: FileRole): ServiceFileEdit | undefined {
  return HOOK_DRIVERS.find((driver) => driver.edit?.role === role)?.edit;
}
