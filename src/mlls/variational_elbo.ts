/**
 * The evidence lower bound, as GPyTorch's `VariationalELBO`.
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
 * The ELBO per data point, minibatch-scaled as GPyTorch's: for a batch B of a training
 * set of size N, Σ_{i∈B} E_q[log p(yᵢ | fᵢ)] / |B| − β·KL(q(u) ‖ p(u)) / N + Σ log priors / N.
 * q(fᵢ)'s variances are clamped at 1e-10 first (GPyTorch's float64 `min_variance`).
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
 * const elbo = new gp.mlls.VariationalELBO(likelihood, model, 10);
 * const value = await elbo.call(model.call([0.5]), [1]);
 * const t = elbo.lastTerms!;
 * assert.ok(Math.abs(value.item() - (t.likelihoodTerm - t.kl + t.logPrior)) < 1e-15);
 * ```
 */
export class VariationalELBO extends ApproximateMarginalLogLikelihood {
  /**
   * @param likelihood p(y | f) (GaussianLikelihood, BernoulliLikelihood, …)
   * @param model the approximate GP
   * @param numData N, the number of training points (the whole set, not a batch)
   * @param options `beta`, the KL weight (1)
   * @throws {RangeError} when numData is not a positive integer or β < 0
   */
  constructor(
    likelihood: ApproximateLikelihood,
    model: ApproximateGP,
    numData: number,
    options: ApproximateMllOptions = {},
  ) {
    super("VariationalELBO", likelihood, model, numData, options);
  }

  protected likelihoodTerm(y: Float64Array, mean: Tensor, variance: Tensor): Tensor {
    return this.likelihood.expectedLogProb(y, mean, variance);
  }
}
