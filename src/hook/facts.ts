import path from "node:path";
import type { HookFacts } from "./choose.js";
import type { HookContext } from "./context.js";
import { hookLayout } from "./layout.js";
import type { RepatchTarget } from "./repatch.js";
import { readOpenClawVersion, supportsWrapper } from "./release-support.js";
import type { ServiceDefinition } from "../locate/service/gateway-services.js";
import { serviceProgramArguments, wrapperInArguments } from "./service-program.js";
import { findHookServices, readServiceWrapper, selectService, type ServiceSelector } from "./services.js";
import { wrapperFileName } from "./wrapper.js";

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

async function wrapperOf(ctx: HookContext, service: ServiceDefinition): Promise<string | undefined> {
  const declared = await readServiceWrapper(service);
  if (declared !== undefined) return declared;
  const argv = await serviceProgramArguments(service, ctx.host);
  return argv === undefined ? undefined : wrapperInArguments(argv, ctx.host.platform);
}

export function ownWrapperPath(ctx: HookContext): string {
  return path.join(hookLayout(ctx.stateDir).dir, wrapperFileName(ctx.host.platform, "openclaw"));
}
