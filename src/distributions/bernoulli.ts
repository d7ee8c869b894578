/**
 * Independent Bernoulli variables, what a classification likelihood's `call(q(f))` gives.
 *
 * @module
 */

import { toVector, type VectorLike } from "../tensor.ts";

/**
 * Independent yᵢ ~ Bernoulli(pᵢ) (torch's `Bernoulli(probs)`): `probs` are P(yᵢ = 1).
 *
 * @example
 * ```ts
 * import { Bernoulli } from "./bernoulli.ts";
 * import assert from "node:assert";
 * const b = new Bernoulli([0.25, 0.5]);
 * assert.deepStrictEqual(Array.from(b.variance), [0.1875, 0.25]);
 * assert.ok(Math.abs(b.logProb([1, 0]) - (Math.log(0.25) + Math.log(0.5))) < 1e-15);
 * ```
 */
export class Bernoulli {
  /** P(yᵢ = 1) for each variable. */
  readonly probs: Float64Array;

  /**
   * @param probs P(yᵢ = 1), each in [0, 1]
   * @throws {RangeError} when a probability is outside [0, 1]
   */
  constructor(probs: VectorLike) {
    const p = toVector(probs, "probs");
    for (let i = 0; i < p.length; i++) {
      if (!(p[i] >= 0 && p[i] <= 1)) {
        throw new RangeError(`Bernoulli(probs): probs[${i}] = ${p[i]} must be in [0, 1]`);
      }
    }
    this.probs = p;
  }

  /** The means (the probabilities). */
  get mean(): Float64Array {
    return this.probs.slice();
  }

  /** The variances p(1 − p). */
  get variance(): Float64Array {
    return this.probs.map((p) => p * (1 - p));
  }

  /**
   * Σᵢ log P(yᵢ) for labels in {0, 1}.
   *
   * @throws {RangeError} when a label is not 0 or 1, or the count differs
   */
  logProb(y: VectorLike): number {
    const labels = toVector(y, "y");
    if (labels.length !== this.probs.length) {
      throw new RangeError(
        `Bernoulli.logProb(y): ${labels.length} labels for ${this.probs.length} variables`,
      );
    }
    let s = 0;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== 0 && labels[i] !== 1) {
        throw new RangeError(`Bernoulli.logProb(y): y[${i}] = ${labels[i]} must be 0 or 1`);
      }
      s += Math.log(labels[i] === 1 ? this.probs[i] : 1 - this.probs[i]);
    }
    return s;
  }
}
