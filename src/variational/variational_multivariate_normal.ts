/**
 * q(f(x)), what an approximate GP's `call(x)` returns: a {@link MultivariateNormal} whose
 * mean and variances are also recorded tensors, so that a variational objective
 * differentiates through them.
 *
 * @module
 */

import { MultivariateNormal } from "../distributions/multivariate_normal.ts";
import type { Covariance } from "../distributions/covariance.ts";
import { MeanVector } from "../means/mean.ts";
import type { Tensor } from "../autograd/tensor.ts";

/** The covariance of q(f): its diagonal from the recorded variances, the full matrix on demand. */
class MarginalCovariance implements Covariance {
  readonly size: number;
  readonly #variance: Tensor;
  readonly #dense: () => Float64Array;

  constructor(variance: Tensor, dense: () => Float64Array) {
    this.size = variance.size;
    this.#variance = variance;
    this.#dense = dense;
  }

  dense(): Promise<Float64Array> {
    return Promise.resolve(this.#dense());
  }

  diagonal(): Promise<Float64Array> {
    return Promise.resolve(this.#variance.data.slice());
  }
}

/**
 * N(μ, Σ) with μ and diag(Σ) kept as recorded tensors (`meanTensor`, `varianceTensor`)
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
 *   () => new Float64Array([0.5, 0, 0, 0.25]),
 * );
 * assert.deepStrictEqual(Array.from(await q.variance()), [0.5, 0.25]);
 * assert.deepStrictEqual(Array.from(await q.mean()), [1, 2]);
 * ```
 */
export class VariationalMultivariateNormal extends MultivariateNormal {
  /** The mean, recorded. */
  readonly meanTensor: Tensor;
  /** The marginal variances diag(Σ), recorded. */
  readonly varianceTensor: Tensor;

  /**
   * @param mean μ (n values, recorded)
   * @param variance diag(Σ) (n values, recorded)
   * @param dense computes the full Σ, row-major n × n
   */
  constructor(mean: Tensor, variance: Tensor, dense: () => Float64Array) {
    if (mean.size !== variance.size) {
      throw new TypeError(
        `VariationalMultivariateNormal(mean, variance): mean has ${mean.size} values but ` +
          `variance has ${variance.size}; give one variance per mean`,
      );
    }
    super(new MeanVector(mean.data.slice()), new MarginalCovariance(variance, dense));
    this.meanTensor = mean;
    this.varianceTensor = variance;
  }
}
