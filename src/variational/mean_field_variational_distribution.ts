/**
 * q(u) with a diagonal covariance, as GPyTorch's `MeanFieldVariationalDistribution`.
 *
 * @module
 */

import { Parameter } from "../parameter.ts";
import type { Tensor } from "../autograd/tensor.ts";
import { diagEmbed } from "../autograd/matrix.ts";
import { VariationalDistribution } from "./variational_distribution.ts";

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
  /** The standard deviations s (M values). */
  readonly variationalStddev: Parameter;

  /**
   * @param numInducingPoints M
   * @param options `meanInitStd`: the lazy initial mean's standard deviation (1e-3)
   * @throws {RangeError} when M is not a positive integer
   */
  constructor(numInducingPoints: number, options: { meanInitStd?: number } = {}) {
    super(numInducingPoints, "MeanFieldVariationalDistribution", options);
    this.variationalStddev = new Parameter(new Float64Array(this.numInducingPoints).fill(1));
  }

  covarianceRoot(): Tensor {
    return diagEmbed(this.variationalStddev.rawTensor());
  }

  protected setCovarianceToIdentity(): void {
    this.variationalStddev.setRaw(new Float64Array(this.numInducingPoints).fill(1));
  }
}
