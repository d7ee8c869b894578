/**
 * Batch expected improvement by quasi-Monte-Carlo (BoTorch's `qExpectedImprovement`).
 *
 * @module
 */

import type { Tensor } from "../autograd/tensor.ts";
import {
  MCAcquisitionFunction,
  type MCAcquisitionOptions,
  type PosteriorModel,
} from "./mc_acquisition_function.ts";
import { amaxLast, clampMin } from "./mc_ops.ts";
import { checkFinite } from "./acquisition_checks.ts";

/** Options of {@link qExpectedImprovement}. */
export interface QExpectedImprovementOptions extends MCAcquisitionOptions {
  /** The best value observed so far (BoTorch's `best_f`; the lowest when minimising). */
  bestF: number;
}

/**
 * qEI(X) = E[max(max_j f(x_j) − bestF, 0)] over the joint posterior of the q points of
 * each candidate set, estimated with the sampler's fixed base samples (BoTorch's
 * `qExpectedImprovement(model, best_f, sampler)`; 512 scrambled-Sobol samples by
 * default). With `maximize: false` the improvement is bestF − min_j f(x_j). For q = 1 it
 * converges to the analytic EI as the number of samples grows.
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
 * const qei = new gp.bo.qExpectedImprovement(model, { bestF: 1, seed: 0 });
 * const x = gp.autograd.tensor([[[0.6], [0.4]], [[0.0], [1.0]]], { requiresGrad: true }); // b = 2, q = 2
 * const v = await qei.forward(x);
 * assert.deepStrictEqual(v.shape, [2]);
 * assert.ok(v.data[0] > v.data[1]); // near the observed peak beats the far ends
 * v.sum().backward();
 * assert.deepStrictEqual(x.grad!.shape, [2, 2, 1]);
 * ```
 */
export class qExpectedImprovement extends MCAcquisitionFunction {
  /** The best value observed so far (BoTorch's `best_f`). */
  readonly bestF: number;

  /**
   * @param model a model with training data
   * @param options `bestF` (required), the sampler (or its seed), the direction, pending points
   */
  constructor(model: PosteriorModel, options: QExpectedImprovementOptions) {
    super(model, options);
    this.bestF = checkFinite(options.bestF, "qExpectedImprovement(model, { bestF })", "bestF");
  }

  /** qEI at each candidate set of `x` (b × q × d or b × d): [b], differentiable in x. */
  async forward(x: Tensor): Promise<Tensor> {
    const obj = await this.objectiveSamples(x); // [n, b, q]
    const best = this.maximize ? this.bestF : -this.bestF;
    return clampMin(amaxLast(obj.sub(best)), 0).mean(0);
  }
}
