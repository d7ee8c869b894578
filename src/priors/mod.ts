/**
 * Priors over parameters' constrained values.
 *
 * @module
 */
export { constraintRange, Prior, type PriorState } from "./prior.ts";
export { logGamma } from "../special.ts";
export { NormalPrior } from "./normal_prior.ts";
export { LogNormalPrior } from "./log_normal_prior.ts";
export { GammaPrior } from "./gamma_prior.ts";
export { HalfCauchyPrior } from "./half_cauchy_prior.ts";
export { UniformPrior } from "./uniform_prior.ts";
export { priorFromJSON } from "./prior_from_json.ts";
