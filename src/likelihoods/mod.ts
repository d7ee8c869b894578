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
export { OneDimensionalLikelihood, type PredictiveMoments } from "./one_dimensional_likelihood.ts";
export { StudentTLikelihood, type StudentTLikelihoodOptions } from "./student_t_likelihood.ts";
export { LaplaceLikelihood } from "./laplace_likelihood.ts";
