/**
 * Observation models.
 *
 * @module
 */
export { Likelihood } from "./likelihood.ts";
export { GaussianLikelihood } from "./gaussian_likelihood.ts";
export { HomoskedasticNoise } from "./homoskedastic_noise.ts";
