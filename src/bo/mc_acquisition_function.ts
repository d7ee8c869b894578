/**
 * The base of the Monte-Carlo acquisitions (BoTorch's `MCAcquisitionFunction`): the joint
 * posterior over each candidate set, sampled through its Cholesky factor with fixed
 * quasi-random base samples, so the value is a deterministic, differentiable function of
 * the candidates.
 *
 * @module
 */

import { Tensor } from "../autograd/tensor.ts";
import type { Inputs } from "../tensor.ts";
import type { AcquisitionFunction } from "./acquisition_function.ts";
import { SobolQMCNormalSampler } from "./sobol_qmc_normal_sampler.ts";
import { concatFirst, selectFirst, stack } from "./mc_ops.ts";

/**
 * A posterior's differentiable mean ([m]) and covariance ([m, m]), as ExactGP's
 * `posterior(x)` and SingleTaskGP's `predict(x)` give them.
 */
export interface TensorPosteriorLike {
  /** The mean at the m points, recorded. */
  meanTensor(): Promise<Tensor>;
  /** The m × m covariance, recorded. */
  covarianceTensor(): Promise<Tensor>;
}

/**
 * What a Monte-Carlo acquisition needs of a model: an {@link ExactGP} (its `posterior(x)`,
 * the latent posterior whatever the mode), or a model that also has `predict(x)` giving
 * the posterior in the original input and outcome units (SingleTaskGP with its Normalize
 * and Standardize, BoTorch's `model.posterior(X)`), which is then used instead. The
 * candidates, `bestF` and qNEI's baseline are in the units the posterior takes and gives.
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
 * const model: gp.bo.PosteriorModel = new Model([0, 1], [0, 1], new gp.likelihoods.GaussianLikelihood());
 * assert.strictEqual(model.trainInputs!.d, 1);
 * ```
 */
export interface PosteriorModel {
  /** The training inputs (their d is the acquisition's), or null for a model with no data. */
  readonly trainInputs: Inputs | null;
  /** The input dimension, where the model states it (else the training inputs' d). */
  readonly dim?: number;
  /** The latent posterior at the m points of x ([m, d]). */
  posterior(x: Tensor): TensorPosteriorLike;
  /** The posterior in the original units, where the model transforms them; preferred. */
  predict?(x: Tensor): TensorPosteriorLike;
}

/**
 * The posterior an acquisition uses at x ([m, d]): `model.predict(x)` where the model has
 * it (original units), else `model.posterior(x)`.
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import { modelPosterior } from "./mc_acquisition_function.ts";
 * import assert from "node:assert";
 * class Model extends gp.models.ExactGP {
 *   meanModule = new gp.means.ZeroMean();
 *   covarModule = new gp.kernels.RBFKernel();
 *   forward(x: gp.Inputs) {
 *     return new gp.distributions.MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x));
 *   }
 * }
 * const model = new Model([0, 1], [0, 1], new gp.likelihoods.GaussianLikelihood());
 * const mean = await modelPosterior(model, gp.autograd.tensor([[0.5]])).meanTensor();
 * assert.strictEqual(mean.shape[0], 1);
 * ```
 */
export function modelPosterior(model: PosteriorModel, x: Tensor): TensorPosteriorLike {
  return typeof model.predict === "function" ? model.predict(x) : model.posterior(x);
}

/** Options every Monte-Carlo acquisition takes. */
export interface MCAcquisitionOptions {
  /**
   * The base samples (default `new SobolQMCNormalSampler(512, { seed })`, BoTorch's 512
   * quasi-random samples).
   */
  sampler?: SobolQMCNormalSampler;
  /** Seed of the default sampler (ignored when `sampler` is given). */
  seed?: number;
  /**
   * Maximise the model's output (default true). With false the acquisition works on −f,
   * as BoTorch with a negating objective, and `bestF` is the lowest value seen.
   */
  maximize?: boolean;
  /**
   * Points chosen but not yet evaluated ([p, d], BoTorch's `X_pending`), appended to every
   * candidate set (see {@link MCAcquisitionFunction.setXPending}).
   */
  xPending?: Tensor | null;
}

/**
 * The shared part of the batch Monte-Carlo acquisitions ({@link qExpectedImprovement},
 * {@link qLogExpectedImprovement}, {@link qUpperConfidenceBound},
 * {@link qNoisyExpectedImprovement}): input checks, the joint posterior of each candidate
 * set (optionally after fixed points, e.g. qNEI's baseline) and its samples
 * [numSamples, b, m] of the objective (f, or −f when minimising).
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
 * const model = new Model([0, 0.5, 1], [0, 1, 0], new gp.likelihoods.GaussianLikelihood());
 * model.eval();
 * // A Monte-Carlo posterior mean: the mean over samples of the q = 1 objective.
 * class qMean extends gp.bo.MCAcquisitionFunction {
 *   async forward(x: gp.autograd.Tensor) {
 *     const obj = await this.objectiveSamples(x);
 *     return obj.mean(0).reshape([obj.shape[1]]);
 *   }
 * }
 * const v = await new qMean(model, { seed: 0 }).forward(gp.autograd.tensor([[[0.5]]]));
 * const exact = (await model.call([0.5]).mean())[0];
 * assert.ok(Math.abs(v.item() - exact) < 1e-2);
 * ```
 */
export abstract class MCAcquisitionFunction implements AcquisitionFunction {
  /** The model. */
  readonly model: PosteriorModel;
  /** The base samples. */
  readonly sampler: SobolQMCNormalSampler;
  /** Whether the model's output is maximised. */
  readonly maximize: boolean;
  /** The input dimension d. */
  readonly dim: number;
  #xPending: Tensor | null = null;

  /**
   * @param model a model with training data
   * @param options the sampler (or its seed) and the direction
   */
  constructor(model: PosteriorModel, options: MCAcquisitionOptions = {}) {
    const name = this.constructor.name;
    if (model === null || typeof model !== "object" || typeof model.posterior !== "function") {
      throw new TypeError(
        `${name}(model): model must be a GP model such as an ExactGP, got ${model}`,
      );
    }
    if (model.trainInputs === null || model.trainInputs === undefined) {
      throw new TypeError(
        `${name}(model): the model has no training data; an acquisition needs observations ` +
          `(setTrainData(trainX, trainY), or evaluate an initial design first)`,
      );
    }
    if (options === null || typeof options !== "object") {
      throw new TypeError(`${name}(model, options): options must be an object, got ${options}`);
    }
    if (options.sampler !== undefined && !(options.sampler instanceof SobolQMCNormalSampler)) {
      throw new TypeError(
        `${name}: options.sampler must be a SobolQMCNormalSampler, got ${options.sampler}`,
      );
    }
    this.model = model;
    this.sampler = options.sampler ?? new SobolQMCNormalSampler(512, { seed: options.seed });
    this.maximize = options.maximize ?? true;
    this.dim = model.dim ?? model.trainInputs.d;
    if (options.xPending !== undefined) this.setXPending(options.xPending);
  }

  /** The pending points ([p, d], constants), or null. */
  get xPending(): Tensor | null {
    return this.#xPending;
  }

  /**
   * Set the pending points (BoTorch's `X_pending`: chosen, not yet evaluated), [p, d], or
   * clear them with null. They are appended to every candidate set, so the acquisition
   * values x jointly with them; a copy without gradient is kept.
   */
  setXPending(xPending: Tensor | null): void {
    if (xPending === null) {
      this.#xPending = null;
      return;
    }
    const name = `${this.constructor.name}.setXPending(xPending)`;
    if (!(xPending instanceof Tensor) || xPending.ndim !== 2 || xPending.shape[1] !== this.dim) {
      throw new TypeError(
        `${name}: xPending must be a Tensor of p points [p, ${this.dim}], got ${
          xPending instanceof Tensor ? `shape [${xPending.shape.join(", ")}]` : xPending
        }; pass null to clear`,
      );
    }
    for (let i = 0; i < xPending.size; i++) {
      if (!Number.isFinite(xPending.data[i])) {
        throw new RangeError(`${name}: xPending holds ${xPending.data[i]} at flat index ${i}`);
      }
    }
    this.#xPending = xPending.shape[0] === 0
      ? null
      : new Tensor(xPending.data.slice(), xPending.shape);
  }

  /** Values at `x` (`b × q × d` or `b × d`), shape `[b]`, differentiable in `x`. */
  abstract forward(x: Tensor): Promise<Tensor>;

  /** `x` checked and read as b × q × d. */
  protected candidates(x: Tensor): Tensor {
    const name = `${this.constructor.name}.forward(x)`;
    if (!(x instanceof Tensor)) {
      throw new TypeError(`${name}: x must be a Tensor of shape [b, q, ${this.dim}], got ${x}`);
    }
    const x3 = x.ndim === 2 ? x.reshape([x.shape[0], 1, x.shape[1]]) : x;
    if (x3.ndim !== 3 || x3.shape[2] !== this.dim) {
      throw new TypeError(
        `${name}: x has shape [${x.shape.join(", ")}]; pass b candidate sets of q points ` +
          `of ${this.dim} dimension(s), [b, q, ${this.dim}] (or [b, ${this.dim}] for q = 1)`,
      );
    }
    if (x3.shape[0] < 1 || x3.shape[1] < 1) {
      throw new RangeError(
        `${name}: x has shape [${x.shape.join(", ")}]; b and q must be at least 1`,
      );
    }
    for (let i = 0; i < x3.size; i++) {
      if (!Number.isFinite(x3.data[i])) {
        throw new RangeError(
          `${name}: x holds ${x3.data[i]} at flat index ${i}; pass finite points`,
        );
      }
    }
    return x3;
  }

  /**
   * Samples of the objective (f, or −f when minimising) at each candidate set of `x`
   * (b × q × d, or b × d) followed by the p pending points, jointly with the fixed points
   * `prefix` ([r, d], constants) placed first when given: [numSamples, b, r + q + p],
   * recorded.
   */
  protected async objectiveSamples(x: Tensor, prefix: Tensor | null = null): Promise<Tensor> {
    const x3 = this.candidates(x);
    const b = x3.shape[0];
    const means: Tensor[] = [], covs: Tensor[] = [];
    for (let t = 0; t < b; t++) {
      let points = selectFirst(x3, t);
      if (this.#xPending !== null) points = concatFirst(points, this.#xPending);
      if (prefix !== null) points = concatFirst(prefix, points);
      const post = modelPosterior(this.model, points);
      means.push(await post.meanTensor());
      covs.push(await post.covarianceTensor());
    }
    const samples = this.sampler.sample(stack(means), stack(covs));
    return this.maximize ? samples : samples.neg();
  }
}
