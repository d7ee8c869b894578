/**
 * The shared body of the variational objectives, as GPyTorch's
 * `_ApproximateMarginalLogLikelihood`: a likelihood term averaged over the batch, minus
 * β·KL / numData, plus the log priors / numData.
 *
 * @module
 */

import { Module } from "../module.ts";
import { toVector, type VectorLike } from "../tensor.ts";
import { Tensor } from "../autograd/tensor.ts";
import type { Parameter } from "../parameter.ts";
import type { ApproximateLikelihood } from "../likelihoods/approximate_likelihood.ts";
import type { ApproximateGP } from "../models/approximate_gp.ts";
import { VariationalMultivariateNormal } from "../distributions/variational_multivariate_normal.ts";
import { clampMin } from "../autograd/variational_primitives.ts";

/**
 * GPyTorch's `min_variance` for float64: q(f)'s variances are clamped here before use.
 *
 * @example
 * ```ts
 * import { MIN_VARIANCE } from "./approximate_marginal_log_likelihood.ts";
 * import assert from "node:assert";
 * assert.strictEqual(MIN_VARIANCE, 1e-10);
 * ```
 */
export const MIN_VARIANCE = 1e-10;

/** Options of the variational objectives. */
export interface ApproximateMllOptions {
  /** The KL term's weight β (default 1). */
  beta?: number;
}

/** The parts of the last objective computed, as numbers. */
export interface ApproximateMllTerms {
  /** The likelihood term: Σ over the batch / batch size. */
  likelihoodTerm: number;
  /** β·KL / numData. */
  kl: number;
  /** Σ log priors / numData. */
  logPrior: number;
}

/**
 * The base of {@link VariationalELBO} and {@link PredictiveLogLikelihood}.
 *
 * @example
 * ```ts
 * import { ApproximateMarginalLogLikelihood } from "./approximate_marginal_log_likelihood.ts";
 * import { VariationalELBO } from "./variational_elbo.ts";
 * import assert from "node:assert";
 * assert.ok(VariationalELBO.prototype instanceof ApproximateMarginalLogLikelihood);
 * ```
 */
export abstract class ApproximateMarginalLogLikelihood extends Module {
  /** The likelihood. */
  readonly likelihood: ApproximateLikelihood;
  /** The model (a submodule, so `mll.parameters()` lists everything). */
  readonly model: ApproximateGP;
  /** N, the size of the whole training set. */
  readonly numData: number;
  /** The KL term's weight β. */
  readonly beta: number;
  /** The parts of the last call's value. */
  lastTerms: ApproximateMllTerms | null = null;

  constructor(
    name: string,
    likelihood: ApproximateLikelihood,
    model: ApproximateGP,
    numData: number,
    options: ApproximateMllOptions = {},
  ) {
    super();
    if (
      likelihood === null || typeof likelihood !== "object" ||
      typeof likelihood.expectedLogProb !== "function"
    ) {
      throw new TypeError(
        `${name}(likelihood, model, numData): likelihood must be a likelihood for ` +
          `approximate GPs (e.g. new GaussianLikelihood(), new BernoulliLikelihood()), got ${likelihood}`,
      );
    }
    if (model === null || typeof model !== "object" || !("variationalStrategy" in model)) {
      throw new TypeError(
        `${name}(likelihood, model, numData): model must be an ApproximateGP, got ${model}`,
      );
    }
    if (typeof numData !== "number" || !Number.isSafeInteger(numData) || numData < 1) {
      throw new RangeError(
        `${name}(likelihood, model, numData): numData = ${numData} must be a positive ` +
          `integer, the number of training points (not the batch size)`,
      );
    }
    const beta = options.beta ?? 1;
    if (!Number.isFinite(beta) || beta < 0) {
      throw new RangeError(`${name}({ beta }): beta = ${beta} must be finite and ≥ 0 (default 1)`);
    }
    this.likelihood = likelihood;
    this.model = model;
    this.numData = numData;
    this.beta = beta;
  }

  /** The per-point likelihood term for targets `y` under marginals N(mean, variance). */
  protected abstract likelihoodTerm(y: Float64Array, mean: Tensor, variance: Tensor): Tensor;

  /**
   * The objective for a batch: `output` = model.call(xBatch), `target` its targets.
   * Returns a recorded scalar: `(await mll.call(output, y)).neg().backward()`.
   *
   * @throws {TypeError} when output is not an approximate model's output or sizes differ
   * @throws {RangeError} when the batch is larger than numData
   */
  call(output: VariationalMultivariateNormal, target: VectorLike): Promise<Tensor> {
    const name = this.constructor.name;
    if (!(output instanceof VariationalMultivariateNormal)) {
      throw new TypeError(
        `${name}.call(output, target): output must be model.call(xBatch) of an ` +
          `ApproximateGP, got ${output}`,
      );
    }
    const y = toVector(target, "target");
    if (y.length !== output.size) {
      throw new TypeError(
        `${name}.call(output, target): output has ${output.size} points but target has ` +
          `${y.length} values; pass the batch's targets`,
      );
    }
    if (y.length > this.numData) {
      throw new RangeError(
        `${name}.call(output, target): the batch has ${y.length} points but numData = ` +
          `${this.numData}; numData is the size of the whole training set — construct the ` +
          `objective with numData ≥ ${y.length}`,
      );
    }
    const variance = clampMin(output.latentVariance, MIN_VARIANCE);
    const ll = this.likelihoodTerm(y, output.latentMean, variance).sum().div(y.length);
    const kl = this.model.variationalStrategy.kl().div(this.numData / this.beta);
    let logPrior: Tensor = new Tensor(new Float64Array(1), []);
    const seen = new Set<Parameter>();
    for (const module of [this.likelihood, this.model] as Module[]) {
      for (const [, prior, parameter] of module.namedPriors()) {
        if (seen.has(parameter)) continue;
        seen.add(parameter);
        logPrior = logPrior.add(
          prior.logProbTensor(parameter.valueTensor()).sum().div(this.numData),
        );
      }
    }
    this.lastTerms = { likelihoodTerm: ll.item(), kl: kl.item(), logPrior: logPrior.item() };
    return Promise.resolve(ll.sub(kl).add(logPrior));
  }
}
