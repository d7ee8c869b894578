/**
 * Batch log expected improvement by quasi-Monte-Carlo, BoTorch's smoothed, fat-tailed
 * `qLogExpectedImprovement` (Ament et al. 2023).
 *
 * @module
 */

import type { Tensor } from "../autograd/tensor.ts";
import {
  MCAcquisitionFunction,
  type MCAcquisitionOptions,
  type PosteriorModel,
} from "./mc_acquisition_function.ts";
import { fatmaxLast, logFatplus, logMeanExpFirst } from "./mc_ops.ts";
import { checkFinite, checkPositive } from "./acquisition_checks.ts";

/**
 * BoTorch's `TAU_RELU`: the temperature of the smooth ReLU (qLogEI's default `tauRelu`).
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 * assert.strictEqual(gp.bo.TAU_RELU, 1e-6);
 * ```
 */
export const TAU_RELU = 1e-6;
/**
 * BoTorch's `TAU_MAX`: the temperature of the smooth maximum over the q points (qLogEI's
 * default `tauMax`).
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 * assert.strictEqual(gp.bo.TAU_MAX, 1e-2);
 * ```
 */
export const TAU_MAX = 1e-2;

/** Options of {@link qLogExpectedImprovement}. */
export interface QLogExpectedImprovementOptions extends MCAcquisitionOptions {
  /** The best value observed so far (BoTorch's `best_f`; the lowest when minimising). */
  bestF: number;
  /** Temperature of the smooth maximum over q (default {@link TAU_MAX} = 1e-2). */
  tauMax?: number;
  /** Temperature of the smooth ReLU (default {@link TAU_RELU} = 1e-6). */
  tauRelu?: number;
}

/**
 * qLogEI(X) ≈ log qEI(X), BoTorch's `qLogExpectedImprovement(model, best_f, sampler)` with
 * its defaults (`fat=True`): per sample, the log of the fat-tailed smooth ReLU of each
 * point's improvement (`log_fatplus(f − bestF, tau_relu)`), a fat-tailed smooth maximum
 * over the q points (`fatmax(·, tau_max)`), then the log of the mean over samples
 * (`logmeanexp`). Finite with useful gradients where qEI underflows to 0. (BoTorch's
 * `fat=False` variant is not offered.)
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
 * const qlogei = new gp.bo.qLogExpectedImprovement(model, { bestF: 1, seed: 0 });
 * const qei = new gp.bo.qExpectedImprovement(model, { bestF: 1, seed: 0 });
 * const x = gp.autograd.tensor([[[0.6]]]);
 * const a = (await qlogei.forward(x)).item(), b = Math.log((await qei.forward(x)).item());
 * assert.ok(Math.abs(a - b) < 1e-3);
 * // Far from the data, where qEI is 0, qLogEI stays finite.
 * assert.ok(Number.isFinite((await new gp.bo.qLogExpectedImprovement(model, { bestF: 5 }).forward(x)).item()));
 * ```
 */
export class qLogExpectedImprovement extends MCAcquisitionFunction {
  /** The best value observed so far (BoTorch's `best_f`). */
  readonly bestF: number;
  /** Temperature of the smooth maximum over q. */
  readonly tauMax: number;
  /** Temperature of the smooth ReLU. */
  readonly tauRelu: number;

  /**
   * @param model a model with training data
   * @param options `bestF` (required), the sampler (or its seed), the direction, pending
   *   points and the temperatures
   */
  constructor(model: PosteriorModel, options: QLogExpectedImprovementOptions) {
    super(model, options);
    const what = "qLogExpectedImprovement(model, options)";
    this.bestF = checkFinite(options.bestF, what, "bestF");
    this.tauMax = checkPositive(options.tauMax ?? TAU_MAX, what, "options.tauMax");
    this.tauRelu = checkPositive(options.tauRelu ?? TAU_RELU, what, "options.tauRelu");
  }

  /** qLogEI at each candidate set of `x` (b × q × d or b × d): [b], differentiable in x. */
  async forward(x: Tensor): Promise<Tensor> {
    const obj = await this.objectiveSamples(x); // [n, b, q]
    const best = this.maximize ? this.bestF : -this.bestF;
    const li = logFatplus(obj.sub(best), this.tauRelu);
    return logMeanExpFirst(fatmaxLast(li, this.tauMax));
  }
}
