import type { Diagnostic } from "../core/diagnostics.js";
import type { InstallState } from "../core/install-state.js";
import type { Manifest } from "../core/manifest.js";
import type { ReleaseVersion } from "../core/release.js";
import type { GatewayFacts } from "../status/gateway-facts.js";
import { boundSettings, type BoundFlags, type BoundSettings } from "./bound-settings.js";
import { pingOwnerFor, probeBounds, type PingOwner } from "./bounds.js";
import { runLiveCheck, type LiveCheckResult } from "./live-check.js";
import type { TableReader } from "./server-side-watch.js";

export interface LiveVerifyInput {
  release: ReleaseVersion;
  state: InstallState;
  manifest?: Manifest;
  gateway: GatewayFacts;
  host: string;
  token?: string;
  flags: BoundFlags;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  toolVersion: string;
  readTable?: TableReader;
}

export interface LiveVerifyReport {
  ok: boolean;
  /** Whose bound the measurement is held to. */
  promise: "installed-fixes" | "fixes-not-installed";
  installState: InstallState;
  pingOwner: PingOwner;
  settings: BoundSettings;
  port: { port: number; source: string; from: string };
  check: LiveCheckResult;
  diagnostics: Diagnostic[];
}

/**
 * Holds the running gateway to the bound the installed fixes promise. An install that is not
 * (fully) patched is held to the bound the fixes would give, so an unfixed gateway fails.
 */
export async function liveVerify(input: LiveVerifyInput): Promise<LiveVerifyReport> {
  const patched = input.state === "patched";
  const { settings, diagnostics } = boundSettings({
    release: input.release,
    ...(patched && input.manifest ? { recorded: input.manifest.config } : {}),
    env: input.env,
    flags: input.flags,
    ...(input.gateway.config.handshakeTimeoutMs === undefined ? {} : { configHandshakeTimeoutMs: { ms: input.gateway.config.handshakeTimeoutMs, file: input.gateway.config.file } }),
  });
  const pingOwner = pingOwnerFor(input.release);
  const check = await runLiveCheck({
    host: input.host,
    port: input.gateway.port.port,
    ...(input.token === undefined ? {} : { token: input.token }),
    bounds: probeBounds(settings, pingOwner),
    platform: input.platform,
    toolVersion: input.toolVersion,
    ...(input.readTable === undefined ? {} : { readTable: input.readTable }),
  });
  return {
    ok: check.ok,
    promise: patched ? "installed-fixes" : "fixes-not-installed",
    installState: input.state,
    pingOwner,
    settings,
    port: { ...input.gateway.port },
    check,
    diagnostics: [...diagnostics, ...check.diagnostics],
  };
}
