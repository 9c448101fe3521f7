/** The ways the re-patch hook can be attached to the gateway's start. */
export type HookMechanism = "wrapper" | "systemd" | "launchd" | "schtasks" | "none";

export const HOOK_MECHANISMS: readonly HookMechanism[] = ["wrapper", "systemd", "launchd", "schtasks", "none"];

export function isHookMechanism(value: string): value is HookMechanism {
  return (HOOK_MECHANISMS as readonly string[]).includes(value);
}
