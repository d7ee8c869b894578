/**
 * q(u) with a full covariance through its Cholesky factor, as GPyTorch's
 * `CholeskyVariationalDistribution`.
 *
 * @module
 */

import { Parameter } from "../parameter.ts";
import { Tensor } from "../autograd/tensor.ts";
import { cholesky } from "../autograd/linalg.ts";
import type { Generator } from "../random.ts";
import { VariationalDistribution, type VariationalMoments } from "./variational_distribution.ts";
import { lowerMask } from "../autograd/variational_primitives.ts";

/**
 * q(u) = N(m, L Lᵀ) with L the lower triangle of the trained M × M matrix
 * `cholVariationalCovar` (GPyTorch's `chol_variational_covar`; its upper triangle is
 * ignored and gets a zero gradient). Initially m = 0 and L = I; a
 * {@link VariationalStrategy} re-initialises lazily at its first call unless told not to.
 *
 * @example
 * ```ts
 * import { CholeskyVariationalDistribution } from "./cholesky_variational_distribution.ts";
 * import assert from "node:assert";
 * const q = new CholeskyVariationalDistribution(2);
 * q.cholVariationalCovar.setRaw([2, 5, 1, 3]); // the 5 is above the diagonal: ignored
 * assert.deepStrictEqual(Array.from(q.covarianceRoot().data), [2, 0, 1, 3]);
 * ```
 */
export class CholeskyVariationalDistribution extends VariationalDistribution {
  /** The variational mean m (GPyTorch's `variational_mean`), M values. */
  readonly variationalMean: Parameter;
  /** The M × M matrix (row-major) whose lower triangle is L. */
  readonly cholVariationalCovar: Parameter;

  /**
   * @param numInducingPoints M
   * @param options `meanInitStd`: the lazy initial mean's standard deviation (1e-3)
   * @throws {RangeError} when M is not a positive integer
   */
  constructor(numInducingPoints: number, options: { meanInitStd?: number } = {}) {
    super(numInducingPoints, "CholeskyVariationalDistribution", options);
    this.variationalMean = new Parameter(new Float64Array(this.numInducingPoints));
    const m = this.numInducingPoints;
    const eye = new Float64Array(m * m);
    for (let i = 0; i < m; i++) eye[i * m + i] = 1;
    this.cholVariationalCovar = new Parameter(eye);
  }

  #root(): Tensor {
    const m = this.numInducingPoints;
    return this.cholVariationalCovar.rawTensor().reshape([m, m]).mul(lowerMask(m));
  }

  /** The root L (lower triangular, [M, M]), recorded. */
  covarianceRoot(): Tensor {
    return this.#root();
  }

  moments(): VariationalMoments {
    return { mean: this.variationalMean.rawTensor(), root: this.#root() };
  }

  /** m = meanInitStd · randn, S = I (GPyTorch's initialisation from N(0, I)). */
  initializeFromWhitenedPrior(generator: Generator): void {
    const m = this.drawNoise(generator);
    this.#setCovarianceToIdentity();
    this.variationalMean.setRaw(m);
  }

  /** m = μ + meanInitStd · randn, L = chol(covariance) (GPyTorch's initialisation from the prior). */
  initializeFromPrior(mean: Float64Array, covariance: Float64Array, generator: Generator): void {
    const m = this.numInducingPoints;
    const root = cholesky(new Tensor(covariance, [m, m])).data;
    const mu = this.drawAround(mean, generator);
    this.cholVariationalCovar.setRaw(root);
    this.variationalMean.setRaw(mu);
  }

  #setCovarianceToIdentity(): void {
    const m = this.numInducingPoints;
    const eye = new Float64Array(m * m);
    for (let i = 0; i < m; i++) eye[i * m + i] = 1;
    this.cholVariationalCovar.setRaw(eye);
  }
}
