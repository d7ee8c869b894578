/**
 * The predictive log likelihood objective, as GPyTorch's `PredictiveLogLikelihood`.
 *
 * @module
 */

import type { Tensor } from "../autograd/tensor.ts";
import type { ApproximateLikelihood } from "../likelihoods/approximate_likelihood.ts";
import type { ApproximateGP } from "../models/approximate_gp.ts";
import {
  ApproximateMarginalLogLikelihood,
  type ApproximateMllOptions,
} from "./approximate_marginal_log_likelihood.ts";

/**
 * Jankowiak et al.'s (2020) predictive objective, scaled as GPyTorch's: Σ_{i∈B}
 * log E_q[p(yᵢ | fᵢ)] / |B| − β·KL / N + Σ log priors / N (the ELBO with the expectation
 * and the log swapped).
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 * class Model extends gp.models.ApproximateGP {
 *   meanModule = new gp.means.ZeroMean();
 *   covarModule = new gp.kernels.RBFKernel();
 *   constructor() {
 *     super(new gp.variational.VariationalStrategy(
 *       null, [0, 1], new gp.variational.CholeskyVariationalDistribution(2),
 *     ));
 *   }
 *   forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
 *     return new gp.distributions.MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x));
 *   }
 * }
 * const model = new Model();
 * const likelihood = new gp.likelihoods.GaussianLikelihood();
 * const pll = new gp.mlls.PredictiveLogLikelihood(likelihood, model, 10);
 * const elbo = new gp.mlls.VariationalELBO(likelihood, model, 10);
 * const q = model.call([0.5]);
 * // Jensen: log E[p] ≥ E[log p]
 * assert.ok((await pll.call(q, [1])).item() >= (await elbo.call(q, [1])).item());
 * ```
 */
export class PredictiveLogLikelihood extends ApproximateMarginalLogLikelihood {
  /**
   * @param likelihood p(y | f)
   * @param model the approximate GP
   * @param numData N, the number of training points
   * @param options `beta`, the KL weight (1)
   * @throws {RangeError} when numData is not a positive integer or β < 0
   */
  constructor(
    likelihood: ApproximateLikelihood,
    model: ApproximateGP,
    numData: number,
    options: ApproximateMllOptions = {},
  ) {
    super("PredictiveLogLikelihood", likelihood, model, numData, options);
  }

  protected likelihoodTerm(y: Float64Array, mean: Tensor, variance: Tensor): Tensor {
    return this.likelihood.logMarginal(y, mean, variance);
  }
}
