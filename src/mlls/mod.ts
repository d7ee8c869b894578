/**
 * Training objectives.
 *
 * @module
 */
export {
  ExactMarginalLogLikelihood,
  type ExactMarginalLogLikelihoodOptions,
} from "./exact_marginal_log_likelihood.ts";
