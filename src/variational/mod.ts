/**
 * Variational inference for approximate GPs: Gauss–Hermite quadrature for expected
 * log-likelihoods, and seeded inducing-point initialisation.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as variational from "./mod.ts";
 * const q = new variational.GaussHermiteQuadrature1D();
 * const [e] = q.expect((f) => f, [0.5], [2]);
 * assert.ok(Math.abs(e - 0.5) < 1e-14);
 * ```
 *
 * @module
 */
export { type GaussHermiteRule, hermgauss } from "../hermgauss.ts";
export {
  GaussHermiteQuadrature1D,
  NUM_GAUSS_HERMITE_LOCS,
} from "../gauss_hermite_quadrature_1d.ts";
export { type KMeansOptions, kmeansPlusPlus } from "./kmeans_plus_plus.ts";
export { randomSubset, type RandomSubsetOptions } from "./random_subset.ts";
export {
  MEAN_INIT_STD,
  VariationalDistribution,
  type VariationalMoments,
} from "./variational_distribution.ts";
export { CholeskyVariationalDistribution } from "./cholesky_variational_distribution.ts";
export { MeanFieldVariationalDistribution } from "./mean_field_variational_distribution.ts";
export {
  type CheckedPrior,
  type PriorModel,
  VARIATIONAL_JITTER,
  VariationalStrategyBase,
  type VariationalStrategyOptions,
} from "./variational_strategy_base.ts";
export { VariationalStrategy } from "./variational_strategy.ts";
export { UnwhitenedVariationalStrategy } from "./unwhitened_variational_strategy.ts";
export { VariationalMultivariateNormal } from "../distributions/variational_multivariate_normal.ts";
export {
  clampMin,
  eye,
  gaussHermiteExpectation,
  lowerMask,
} from "../autograd/variational_primitives.ts";
export { abs, lgamma } from "../autograd/gamma_ops.ts";
export { digamma, logGamma } from "../special.ts";
export { NaturalVariationalDistribution } from "./natural_variational_distribution.ts";
