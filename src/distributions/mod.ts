/**
 * Distributions and the lazy covariances they are made of.
 *
 * @module
 */
export {
  type ConfidenceRegion,
  MultivariateNormal,
  type SampleOptions,
} from "./multivariate_normal.ts";
export {
  type Covariance,
  DenseCovariance,
  DiagonalAddedCovariance,
  type DiagonalTerm,
  KernelCovariance,
} from "./covariance.ts";
export { Bernoulli } from "./bernoulli.ts";
