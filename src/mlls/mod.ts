/**
 * Training objectives.
 *
 * @module
 */
export { ExactMarginalLogLikelihood } from "./exact_marginal_log_likelihood.ts";
