/**
 * q(f(x)), what an approximate GP's `call(x)` returns: a {@link MultivariateNormal} whose
 * mean and variances are also recorded tensors, so that a variational objective
 * differentiates through them.
 *
 * @module
 */

import { MultivariateNormal } from "./multivariate_normal.ts";
import type { Covariance } from "./covariance.ts";
import type { MeanSource } from "../means/mean.ts";
import type { Tensor } from "../autograd/tensor.ts";

/** q(f)'s mean: the values now, and the recorded tensor (`evaluateTensor`). */
class LatentMean implements MeanSource {
  readonly size: number;
  readonly #mean: Tensor;

  constructor(mean: Tensor) {
    this.size = mean.size;
    this.#mean = mean;
  }

  evaluate(): Promise<Float64Array> {
    return Promise.resolve(this.#mean.data.slice());
  }

  /** The recorded mean. */
  evaluateTensor(): Promise<Tensor> {
    return Promise.resolve(this.#mean);
  }
}

/** q(f)'s covariance: the diagonal from the recorded variances, the full matrix on demand. */
class LatentCovariance implements Covariance {
  readonly size: number;
  readonly #variance: Tensor;
  readonly #dense: () => Tensor;

  constructor(variance: Tensor, dense: () => Tensor) {
    this.size = variance.size;
    this.#variance = variance;
    this.#dense = dense;
  }

  dense(): Promise<Float64Array> {
    return Promise.resolve(this.#dense().data.slice());
  }

  diagonal(): Promise<Float64Array> {
    return Promise.resolve(this.#variance.data.slice());
  }

  /** The full covariance, recorded. */
  denseTensor(): Promise<Tensor> {
    return Promise.resolve(this.#dense());
  }

  /** The variances, recorded. */
  diagonalTensor(): Promise<Tensor> {
    return Promise.resolve(this.#variance);
  }
}

/**
 * N(μ, Σ) with μ and diag(Σ) kept as recorded tensors (`latentMean`, `latentVariance`)
 * beside the usual asynchronous accessors; the full Σ is computed only when asked.
 *
 * @example
 * ```ts
 * import { VariationalMultivariateNormal } from "./variational_multivariate_normal.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * const q = new VariationalMultivariateNormal(
 *   tensor([1, 2]),
 *   tensor([0.5, 0.25]),
 *   () => tensor([[0.5, 0], [0, 0.25]]),
 * );
 * assert.deepStrictEqual(Array.from(await q.variance()), [0.5, 0.25]);
 * assert.deepStrictEqual(Array.from(await q.mean()), [1, 2]);
 * assert.strictEqual(q.latentVariance.data[1], 0.25);
 * ```
 */
export class VariationalMultivariateNormal extends MultivariateNormal {
  /** The mean μ, recorded. */
  readonly latentMean: Tensor;
  /** The marginal variances diag(Σ), recorded. */
  readonly latentVariance: Tensor;

  /**
   * @param mean μ (n values, recorded)
   * @param variance diag(Σ) (n values, recorded)
   * @param dense computes the full Σ [n, n] (recorded when gradients are on)
   */
  constructor(mean: Tensor, variance: Tensor, dense: () => Tensor) {
    if (mean.size !== variance.size) {
      throw new TypeError(
        `VariationalMultivariateNormal(mean, variance): mean has ${mean.size} values but ` +
          `variance has ${variance.size}; give one variance per mean`,
      );
    }
    super(new LatentMean(mean), new LatentCovariance(variance, dense));
    this.latentMean = mean;
    this.latentVariance = variance;
  }
}
