/**
 * Observation models.
 *
 * @module
 */
export { Likelihood } from "./likelihood.ts";
export { GaussianLikelihood } from "./gaussian_likelihood.ts";
export { HomoskedasticNoise } from "./homoskedastic_noise.ts";
export {
  FixedNoiseGaussianLikelihood,
  type FixedNoiseGaussianLikelihoodOptions,
} from "./fixed_noise_gaussian_likelihood.ts";
export type { ApproximateLikelihood } from "./approximate_likelihood.ts";
export { BernoulliLikelihood } from "./bernoulli_likelihood.ts";
