import { fail } from "../core/diagnostics.js";
import type { HookFacts, MechanismOption } from "./driver.js";
import type { HookMechanism } from "./driver.js";
import { HOOK_DRIVERS } from "./drivers.js";

export interface HookChoice {
  mechanism: HookMechanism;
  reason: string;
  /** Every other mechanism, with why it was not chosen or why it cannot be used. */
  alternatives: MechanismOption[];
}

/** The first available driver in the registry's order of preference, or the requested one if it can be used. */
export function chooseMechanism(facts: HookFacts, requested?: HookMechanism): HookChoice {
  const options = HOOK_DRIVERS.map((driver) => ({ mechanism: driver.mechanism, option: driver.option(facts) }));
  const pick = requested === undefined ? options.find((o) => o.option.available) : options.find((o) => o.mechanism === requested);
  if (pick === undefined || !pick.option.available) {
    fail("OCP_HOOK_MECHANISM_UNAVAILABLE", `the ${requested ?? "requested"} hook cannot be used here: ${pick?.option.reason ?? "unknown mechanism"}`, "omit --mechanism to let openclaw-patch choose", {
      options: options.map((o) => o.option),
    });
  }
  return { mechanism: pick.mechanism, reason: pick.option.reason, alternatives: options.filter((o) => o !== pick).map((o) => o.option) };
}
