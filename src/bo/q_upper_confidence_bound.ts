/**
 * Batch upper confidence bound by quasi-Monte-Carlo (BoTorch's `qUpperConfidenceBound`).
 *
 * @module
 */

import type { Tensor } from "../autograd/tensor.ts";
import {
  MCAcquisitionFunction,
  type MCAcquisitionOptions,
  type PosteriorModel,
} from "./mc_acquisition_function.ts";
import { absolute, amaxLast } from "./mc_ops.ts";
import { checkNonNegative } from "./acquisition_checks.ts";

/** Options of {@link qUpperConfidenceBound}. */
export interface QUpperConfidenceBoundOptions extends MCAcquisitionOptions {
  /** The confidence parameter β ≥ 0 (BoTorch's `beta`). */
  beta: number;
}

/**
 * qUCB(X) = E[max_j (μ_j + √(βπ/2) · |f(x_j) − μ_j|)], BoTorch's
 * `qUpperConfidenceBound(model, beta, sampler)`: μ_j is the mean of the samples at x_j
 * (BoTorch's `obj.mean(dim=0)`), and since E|f − μ| = σ √(2/π), for q = 1 it converges to
 * the analytic UCB μ + √β σ. With `maximize: false` it works on −f (a lower bound, negated).
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 * class Model extends gp.models.ExactGP {
 *   meanModule = new gp.means.ZeroMean();
 *   covarModule = new gp.kernels.RBFKernel();
 *   forward(x: gp.Inputs) {
 *     return new gp.distributions.MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x));
 *   }
 * }
 * const model = new Model([0, 0.25, 0.5, 0.75, 1], [0, 0.5, 1, 0.5, 0], new gp.likelihoods.GaussianLikelihood());
 * model.initialize({ "covarModule.lengthscale": 0.3, "likelihood.noise": 1e-3 });
 * model.eval();
 * const qucb = new gp.bo.qUpperConfidenceBound(model, {
 *   beta: 4, sampler: new gp.bo.SobolQMCNormalSampler(4096, { seed: 1 }) });
 * const post = model.call([0.3]);
 * const ucb = (await post.mean())[0] + 2 * Math.sqrt((await post.variance())[0]);
 * const v = await qucb.forward(gp.autograd.tensor([[0.3]])); // b × d: q = 1
 * assert.ok(Math.abs(v.item() - ucb) < 1e-3);
 * ```
 */
export class qUpperConfidenceBound extends MCAcquisitionFunction {
  /** The confidence parameter β. */
  readonly beta: number;
  /** √(βπ/2), BoTorch's `beta_prime`. */
  readonly betaPrime: number;

  /**
   * @param model a model with training data
   * @param options `beta` (required), the sampler (or its seed), the direction, pending points
   */
  constructor(model: PosteriorModel, options: QUpperConfidenceBoundOptions) {
    super(model, options);
    this.beta = checkNonNegative(options.beta, "qUpperConfidenceBound(model, { beta })", "beta");
    this.betaPrime = Math.sqrt(this.beta * Math.PI / 2);
  }

  /** qUCB at each candidate set of `x` (b × q × d or b × d): [b], differentiable in x. */
  async forward(x: Tensor): Promise<Tensor> {
    const obj = await this.objectiveSamples(x); // [n, b, q]
    const mean = obj.mean(0); // [b, q]
    const ucb = mean.add(absolute(obj.sub(mean)).mul(this.betaPrime));
    return amaxLast(ucb).mean(0);
  }
}
