/**
 * q(u) with a diagonal covariance, as GPyTorch's `MeanFieldVariationalDistribution`.
 *
 * @module
 */

import { Parameter } from "../parameter.ts";
import type { Tensor } from "../autograd/tensor.ts";
import type { Generator } from "../random.ts";
import { diagEmbed } from "../autograd/matrix.ts";
import { VariationalDistribution, type VariationalMoments } from "./variational_distribution.ts";

/**
 * q(u) = N(m, diag(s²)) with the trained standard deviations `variationalStddev`
 * (GPyTorch's `_variational_stddev`, unconstrained: its root is diag(s)). Initially
 * m = 0 and s = 1.
 *
 * @example
 * ```ts
 * import { MeanFieldVariationalDistribution } from "./mean_field_variational_distribution.ts";
 * import assert from "node:assert";
 * const q = new MeanFieldVariationalDistribution(2);
 * q.variationalStddev.setRaw([0.5, 2]);
 * assert.deepStrictEqual(Array.from(q.covarianceRoot().data), [0.5, 0, 0, 2]);
 * ```
 */
export class MeanFieldVariationalDistribution extends VariationalDistribution {
  /** The variational mean m (GPyTorch's `variational_mean`), M values. */
  readonly variationalMean: Parameter;
  /** The standard deviations s (M values). */
  readonly variationalStddev: Parameter;

  /**
   * @param numInducingPoints M
   * @param options `meanInitStd`: the lazy initial mean's standard deviation (1e-3)
   * @throws {RangeError} when M is not a positive integer
   */
  constructor(numInducingPoints: number, options: { meanInitStd?: number } = {}) {
    super(numInducingPoints, "MeanFieldVariationalDistribution", options);
    this.variationalMean = new Parameter(new Float64Array(this.numInducingPoints));
    this.variationalStddev = new Parameter(new Float64Array(this.numInducingPoints).fill(1));
  }

  #root(): Tensor {
    return diagEmbed(this.variationalStddev.rawTensor());
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

  /** m = μ + meanInitStd · randn, s = √diag(covariance) (GPyTorch's initialisation from the prior). */
  initializeFromPrior(mean: Float64Array, covariance: Float64Array, generator: Generator): void {
    const m = this.numInducingPoints;
    const stddev = new Float64Array(m);
    for (let i = 0; i < m; i++) stddev[i] = Math.sqrt(covariance[i * m + i]);
    const mu = this.drawAround(mean, generator);
    this.variationalStddev.setRaw(stddev);
    this.variationalMean.setRaw(mu);
  }

  #setCovarianceToIdentity(): void {
    this.variationalStddev.setRaw(new Float64Array(this.numInducingPoints).fill(1));
  }
}
