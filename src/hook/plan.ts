import { chooseMechanism, type HookChoice } from "./choose.js";
import type { HookContext } from "./context.js";
import type { DriverPlan, HookFacts } from "./driver.js";
import type { HookMechanism } from "./driver.js";
import { driverFor } from "./drivers.js";
import type { RepatchTarget } from "./repatch.js";
import type { ServiceDefinition } from "../locate/service/gateway-services.js";

export interface InstallPlan extends DriverPlan {
  choice: HookChoice;
  target: RepatchTarget;
  openclawVersion: string | null;
  service: ServiceDefinition | null;
}

export async function buildInstallPlan(ctx: HookContext, target: RepatchTarget, facts: HookFacts, requested?: HookMechanism): Promise<InstallPlan> {
  const choice = chooseMechanism(facts, requested);
  const planned = await driverFor(choice.mechanism).plan(ctx, target, facts);
  return { choice, target, openclawVersion: facts.openclawVersion, service: facts.service, ...planned };
}
