/**
 * Training objectives.
 *
 * @module
 */
export {
  ExactMarginalLogLikelihood,
  type ExactMarginalLogLikelihoodOptions,
} from "./exact_marginal_log_likelihood.ts";
export {
  ApproximateMarginalLogLikelihood,
  type ApproximateMllOptions,
  type ApproximateMllTerms,
  MIN_VARIANCE,
} from "./approximate_marginal_log_likelihood.ts";
export { VariationalELBO } from "./variational_elbo.ts";
export { PredictiveLogLikelihood } from "./predictive_log_likelihood.ts";
