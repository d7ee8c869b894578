/**
 * The base of q(u), the variational distribution over the inducing values, as GPyTorch's
 * `_VariationalDistribution`: a mean and a lower-triangular root L of the covariance
 * S = L Lᵀ, both trained.
 *
 * @module
 */

import { Module } from "../module.ts";
import type { Tensor } from "../autograd/tensor.ts";
import type { Generator } from "../random.ts";

/**
 * GPyTorch's `mean_init_std`: the standard deviation of the lazy initial mean's draw.
 *
 * @example
 * ```ts
 * import { MEAN_INIT_STD } from "./variational_distribution.ts";
 * import assert from "node:assert";
 * assert.strictEqual(MEAN_INIT_STD, 1e-3);
 * ```
 */
export const MEAN_INIT_STD = 1e-3;

/** Check a number of inducing points (a positive integer). */
export function checkSize(name: string, m: unknown): number {
  if (typeof m !== "number" || !Number.isSafeInteger(m) || m < 1) {
    throw new RangeError(
      `${name}(numInducingPoints): numInducingPoints = ${m} must be a positive integer ` +
        `(the number of inducing points, e.g. inducingPoints.length)`,
    );
  }
  return m;
}

/** q(u)'s mean and the lower-triangular root of its covariance, as recorded tensors. */
export interface VariationalMoments {
  /** m, [M]. */
  mean: Tensor;
  /** L with S = L Lᵀ, [M, M] lower triangular. */
  root: Tensor;
}

/**
 * q(u) = N(m, L Lᵀ) over M inducing values. Subclasses give m and L as recorded tensors
 * of their parameters, and the initialisation from the whitened prior.
 *
 * @example
 * ```ts
 * import { CholeskyVariationalDistribution } from "./cholesky_variational_distribution.ts";
 * import { VariationalDistribution } from "./variational_distribution.ts";
 * import assert from "node:assert";
 * const q: VariationalDistribution = new CholeskyVariationalDistribution(3);
 * assert.strictEqual(q.numInducingPoints, 3);
 * assert.deepStrictEqual(q.moments().root.shape, [3, 3]);
 * ```
 */
export abstract class VariationalDistribution extends Module {
  /** M, the number of inducing values. */
  readonly numInducingPoints: number;
  /** The standard deviation of the lazy initial mean's random draw (GPyTorch: 1e-3). */
  readonly meanInitStd: number;

  constructor(numInducingPoints: number, name: string, options: { meanInitStd?: number } = {}) {
    super();
    this.numInducingPoints = checkSize(name, numInducingPoints);
    const std = options.meanInitStd ?? MEAN_INIT_STD;
    if (!Number.isFinite(std) || std < 0) {
      throw new RangeError(`${name}({ meanInitStd }): meanInitStd = ${std} must be finite and ≥ 0`);
    }
    this.meanInitStd = std;
  }

  /** m and L (S = L Lᵀ), recorded from the parameters. */
  abstract moments(): VariationalMoments;

  /**
   * Set q(u) from the whitened prior N(0, I), as GPyTorch's
   * `initialize_variational_distribution`, with the mean's noise (meanInitStd · randn)
   * drawn from `generator`.
   */
  abstract initializeFromWhitenedPrior(generator: Generator): void;

  /**
   * Set q(u) from the prior N(mean, covariance) (covariance M × M row-major, jitter already
   * added), as GPyTorch's `initialize_variational_distribution(prior_dist)` for the
   * unwhitened strategy, with the mean's noise (meanInitStd · randn) drawn from `generator`.
   *
   * @throws {NotPositiveDefiniteError} when the covariance has no Cholesky factor
   */
  abstract initializeFromPrior(
    mean: Float64Array,
    covariance: Float64Array,
    generator: Generator,
  ): void;

  /** `mean` + meanInitStd · randn(M) from `generator` (GPyTorch: `mean.add_(randn, alpha=std)`). */
  protected drawAround(mean: Float64Array, generator: Generator): Float64Array {
    const noise = this.drawNoise(generator);
    for (let i = 0; i < noise.length; i++) noise[i] = mean[i] + noise[i];
    return noise;
  }

  /** meanInitStd · randn(M) from `generator`. */
  protected drawNoise(generator: Generator): Float64Array {
    return generator.normals(this.numInducingPoints).map((v) => v * this.meanInitStd);
  }
}
