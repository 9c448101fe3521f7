import path from "node:path";
import { nodeFs } from "../locate/env.js";
import { readPackageJson } from "../locate/package-json.js";
import type { ServiceDefinition } from "../locate/service/gateway-services.js";
import type { HookContext } from "./context.js";
import type { HookFacts } from "./driver.js";
import { ownWrapperPath, supportsWrapper } from "./mechanisms/wrapper.js";
import type { RepatchTarget } from "./repatch.js";
import { serviceProgramArguments, wrapperInArguments } from "./service-program.js";
import { findHookServices, readServiceWrapper, selectService, type ServiceSelector } from "./services.js";

/** Reads what choosing needs: the service to hook, the release, and any wrapper already in use. */
export async function gatherFacts(ctx: HookContext, target: RepatchTarget, selector: ServiceSelector): Promise<HookFacts> {
  const service: ServiceDefinition | null = selectService(await findHookServices(ctx.host), selector);
  const openclawVersion = await readOpenClawVersion(target.packageRoot);
  const serviceWrapper = service === null ? undefined : await wrapperOf(ctx, service);
  const facts: HookFacts = {
    platform: ctx.host.platform,
    openclawVersion,
    wrapperSupported: supportsWrapper(openclawVersion),
    service,
    ownWrapperPath: ownWrapperPath(ctx),
  };
  if (serviceWrapper !== undefined) facts.serviceWrapper = serviceWrapper;
  return facts;
}

/** The installed release's version from its package.json, or null when unreadable. */
async function readOpenClawVersion(packageRoot: string): Promise<string | null> {
  const read = await readPackageJson(nodeFs, path.join(packageRoot, "package.json"));
  return read.kind === "package" ? (read.version ?? null) : null;
}

async function wrapperOf(ctx: HookContext, service: ServiceDefinition): Promise<string | undefined> {
  const declared = await readServiceWrapper(service);
  if (declared !== undefined) return declared;
  const argv = await serviceProgramArguments(service, ctx.host);
  return argv === undefined ? undefined : wrapperInArguments(argv, ctx.host.platform);
}
