/**
 * What a variational objective needs of a likelihood: per-point E_q[log p(y | f)] and
 * log E_q[p(y | f)] for marginals q(fᵢ) = N(μᵢ, σᵢ²), as recorded tensors.
 *
 * @module
 */

import type { Tensor } from "../autograd/tensor.ts";
import type { Module } from "../module.ts";

/**
 * A likelihood usable with {@link VariationalELBO} and {@link PredictiveLogLikelihood}
 * (GPyTorch's `expected_log_prob` and `log_marginal`).
 *
 * @example
 * ```ts
 * import type { ApproximateLikelihood } from "./approximate_likelihood.ts";
 * import { GaussianLikelihood } from "./gaussian_likelihood.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * const likelihood: ApproximateLikelihood = new GaussianLikelihood();
 * const e = likelihood.expectedLogProb(new Float64Array([0]), tensor([0]), tensor([0]));
 * assert.strictEqual(e.shape[0], 1);
 * ```
 */
export interface ApproximateLikelihood extends Module {
  /** E_{N(μᵢ, σᵢ²)}[log p(yᵢ | fᵢ)] for each point (n values, recorded). */
  expectedLogProb(target: Float64Array, mean: Tensor, variance: Tensor): Tensor;
  /** log E_{N(μᵢ, σᵢ²)}[p(yᵢ | fᵢ)] for each point (n values, recorded). */
  logMarginal(target: Float64Array, mean: Tensor, variance: Tensor): Tensor;
}
