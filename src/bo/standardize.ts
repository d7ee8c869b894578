/**
 * BoTorch's `Standardize` outcome transform.
 *
 * @module
 */
import { toVector, type VectorLike } from "../tensor.ts";

/**
 * y ↦ (y − mean) / std with the training outcomes' mean and sample standard deviation
 * (n − 1 divisor; a std below 1e-8, or a single outcome, gives std 1), as BoTorch's
 * `Standardize(m=1)`. Observation noise variances scale by 1/std².
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const t = new gp.bo.Standardize([1, 2, 3]);
 * assert.strictEqual(t.mean, 2);
 * assert.strictEqual(t.std, 1);
 * assert.deepStrictEqual(Array.from(t.transform([1, 3])), [-1, 1]);
 * ```
 */
export class Standardize {
  /** The training outcomes' mean. */
  readonly mean: number;
  /** Their standard deviation (n − 1 divisor), 1 when below 1e-8 or n = 1. */
  readonly std: number;

  /** @param trainY the training outcomes (finite, at least one) */
  constructor(trainY: VectorLike) {
    const y = toVector(trainY, "Standardize(trainY)");
    if (y.length === 0) {
      throw new TypeError("Standardize(trainY): no outcomes; give at least one");
    }
    let m = 0;
    for (const v of y) m += v;
    m /= y.length;
    let ss = 0;
    for (const v of y) ss += (v - m) ** 2;
    const s = y.length > 1 ? Math.sqrt(ss / (y.length - 1)) : 1;
    this.mean = m;
    this.std = s >= 1e-8 ? s : 1;
  }

  /** Outcomes to standardized units. */
  transform(y: VectorLike): Float64Array {
    return toVector(y, "Standardize.transform(y)").map((v) => (v - this.mean) / this.std);
  }

  /** Standardized outcomes back to the original units. */
  untransform(y: VectorLike): Float64Array {
    return toVector(y, "Standardize.untransform(y)").map((v) => this.mean + v * this.std);
  }

  /** Observation noise variances to standardized units. */
  transformVariance(yVar: VectorLike): Float64Array {
    return toVector(yVar, "Standardize.transformVariance(yVar)").map((v) => v / this.std ** 2);
  }
}
