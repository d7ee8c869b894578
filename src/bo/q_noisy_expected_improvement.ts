/**
 * Batch noisy expected improvement by quasi-Monte-Carlo (BoTorch's
 * `qNoisyExpectedImprovement`).
 *
 * @module
 */

import { Tensor } from "../autograd/tensor.ts";
import { type InputLike, type Inputs, toInputs } from "../tensor.ts";
import {
  MCAcquisitionFunction,
  type MCAcquisitionOptions,
  type PosteriorModel,
} from "./mc_acquisition_function.ts";
import { amaxLast, clampMin, sliceLast } from "./mc_ops.ts";
import { pruneInferiorPoints } from "./prune_inferior_points.ts";

/** Options of {@link qNoisyExpectedImprovement}. */
export interface QNoisyExpectedImprovementOptions extends MCAcquisitionOptions {
  /**
   * Drop baseline points that are never the best in 2048 joint posterior samples, before
   * the first evaluation (default true, BoTorch's; see {@link pruneInferiorPoints}).
   */
  pruneBaseline?: boolean;
}

/**
 * qNEI(X) = E[max(max_j f(x_j) − max_i f(x_baseline,i), 0)], BoTorch's
 * `qNoisyExpectedImprovement(model, X_baseline, sampler, prune_baseline=True)`: no best
 * value is assumed known (the observations are noisy); instead each joint posterior sample
 * over the baseline points and the q candidates is compared with its own best baseline
 * value. The joint factor over baseline + candidates is computed per candidate set (BoTorch
 * caches the baseline's block; the samples are the same). With `maximize: false`, on −f.
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
 * const qnei = new gp.bo.qNoisyExpectedImprovement(model, [0, 0.25, 0.5, 0.75, 1], { seed: 0 });
 * const v = await qnei.forward(gp.autograd.tensor([[[0.6]], [[0.0]]]));
 * assert.ok(v.data[0] > 0 && v.data[0] > v.data[1]);
 * assert.ok((await qnei.baseline()).n < 5); // the low ends are pruned
 * ```
 */
export class qNoisyExpectedImprovement extends MCAcquisitionFunction {
  /** Whether the baseline is pruned before use. */
  readonly pruneBaseline: boolean;
  readonly #given: Inputs;
  #baseline: Promise<Inputs> | null = null;

  /**
   * @param model a model with training data
   * @param xBaseline the points observed so far (r points, or r × d)
   * @param options the sampler (or its seed), the direction and pruning
   */
  constructor(
    model: PosteriorModel,
    xBaseline: InputLike,
    options: QNoisyExpectedImprovementOptions = {},
  ) {
    super(model, options);
    this.#given = toInputs(
      xBaseline,
      "qNoisyExpectedImprovement(model, xBaseline): xBaseline",
      this.dim,
    );
    this.pruneBaseline = options.pruneBaseline ?? true;
  }

  /** The baseline in use: xBaseline, pruned on first use when `pruneBaseline`. */
  baseline(): Promise<Inputs> {
    if (this.#baseline === null) {
      this.#baseline = this.pruneBaseline && this.#given.n > 1
        ? pruneInferiorPoints(this.model, this.#given, {
          seed: this.sampler.seed,
          maximize: this.maximize,
        })
        : Promise.resolve(this.#given);
      this.#baseline.catch(() => this.#baseline = null);
    }
    return this.#baseline;
  }

  /** qNEI at each candidate set of `x` (b × q × d or b × d): [b], differentiable in x. */
  async forward(x: Tensor): Promise<Tensor> {
    this.candidates(x);
    const base = await this.baseline();
    const r = base.n;
    const all = await this.objectiveSamples(x, new Tensor(base.data, [r, base.d])); // [n, b, r + q]
    const [n, b, m] = all.shape;
    const best = amaxLast(sliceLast(all, 0, r)).reshape([n, b, 1]);
    const obj = sliceLast(all, r, m);
    return clampMin(amaxLast(obj.sub(best)), 0).mean(0);
  }
}
