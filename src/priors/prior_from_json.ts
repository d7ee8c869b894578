/**
 * Rebuilding a prior from its JSON form (state dicts).
 *
 * @module
 */

import type { Prior, PriorState } from "./prior.ts";
import { NormalPrior } from "./normal_prior.ts";
import { LogNormalPrior } from "./log_normal_prior.ts";
import { GammaPrior } from "./gamma_prior.ts";
import { HalfCauchyPrior } from "./half_cauchy_prior.ts";
import { UniformPrior } from "./uniform_prior.ts";

/**
 * The prior a {@link PriorState} describes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { priorFromJSON } from "./prior_from_json.ts";
 * import { GammaPrior } from "./gamma_prior.ts";
 * assert.equal(String(priorFromJSON(new GammaPrior(3, 6).toJSON())), "GammaPrior(concentration=3, rate=6)");
 * ```
 */
export function priorFromJSON(state: PriorState): Prior {
  const n = (k: string) => state[k] as number;
  switch (state?.type) {
    case "NormalPrior":
      return new NormalPrior(n("loc"), n("scale"));
    case "LogNormalPrior":
      return new LogNormalPrior(n("loc"), n("scale"));
    case "GammaPrior":
      return new GammaPrior(n("concentration"), n("rate"));
    case "HalfCauchyPrior":
      return new HalfCauchyPrior(n("scale"));
    case "UniformPrior":
      return new UniformPrior(n("a"), n("b"));
    default:
      throw new TypeError(
        `priorFromJSON(state): unknown prior type ${JSON.stringify(state?.type)}; expected ` +
          `NormalPrior, LogNormalPrior, GammaPrior, HalfCauchyPrior or UniformPrior`,
      );
  }
}
