/** How the gateway is started on this machine, as found on disk. */
export type ServiceKind = "systemd" | "launchd" | "schtasks";

export interface ServiceDefinition {
  kind: ServiceKind;
  /** Unit file name, launchd label, or task script name. */
  name: string;
  /** The file OpenClaw writes: the unit, the LaunchAgent plist, or gateway.cmd. */
  path: string;
  /** The OpenClaw profile the service belongs to; null for the default profile. */
  profile: string | null;
  /** A pre-rename unit (clawdbot-gateway, moltbot-gateway). */
  legacy: boolean;
}
