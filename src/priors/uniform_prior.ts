/**
 * The uniform prior.
 *
 * @module
 */

import { checkHyper, Prior, type PriorState } from "./prior.ts";
import type { Generator } from "../random.ts";

/**
 * Uniform(a, b): log p(x) = −log(b − a) on [a, b]. Its derivative is 0, so it only
 * shifts the loss; the parameter's constraint must keep it inside [a, b]
 * (e.g. `new Interval(a, b)`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UniformPrior } from "./uniform_prior.ts";
 * assert.ok(Math.abs(new UniformPrior(0, 4).logProb(1) + Math.log(4)) < 1e-15);
 * ```
 */
export class UniformPrior extends Prior {
  readonly a: number;
  readonly b: number;
  readonly support: readonly [number, number];

  constructor(a: number, b: number) {
    super();
    this.a = checkHyper("UniformPrior", "a", a, false);
    this.b = checkHyper("UniformPrior", "b", b, false);
    if (!(a < b)) {
      throw new RangeError(`UniformPrior(a, b): a = ${a} must be below b = ${b}`);
    }
    this.support = [a, b];
  }

  logProb(x: number): number {
    return x >= this.a && x <= this.b ? -Math.log(this.b - this.a) : -Infinity;
  }

  logProbDerivative(_x: number): number {
    return 0;
  }

  sample(generator: Generator): number {
    return this.a + (this.b - this.a) * generator.uniform();
  }

  toJSON(): PriorState {
    return { type: "UniformPrior", a: this.a, b: this.b };
  }
}
