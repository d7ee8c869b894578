/**
 * The base of every likelihood: p(y | f), applied to a distribution over f to give
 * the distribution over y.
 *
 * @module
 */

import { Module } from "../module.ts";
import type { MultivariateNormal } from "../distributions/multivariate_normal.ts";

/** A likelihood p(y | f). */
export abstract class Likelihood extends Module {
  /** The marginal distribution of y when f follows `f` (GPyTorch's `likelihood(f)`). */
  abstract call(f: MultivariateNormal): MultivariateNormal;
}
