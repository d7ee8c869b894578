/**
 * The half-Cauchy prior.
 *
 * @module
 */

import { checkHyper, Prior, type PriorState } from "./prior.ts";
import type { Generator } from "../random.ts";

/**
 * |Cauchy(0, scale)|: log p(x) = log 2 − log π − log scale − log(1 + (x/scale)²), for x ≥ 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HalfCauchyPrior } from "./half_cauchy_prior.ts";
 * assert.ok(Math.abs(new HalfCauchyPrior(1).logProb(0) - Math.log(2 / Math.PI)) < 1e-15);
 * ```
 */
export class HalfCauchyPrior extends Prior {
  readonly scale: number;
  readonly support: readonly [number, number] = [0, Infinity];

  constructor(scale: number) {
    super();
    this.scale = checkHyper("HalfCauchyPrior", "scale", scale, true);
  }

  logProb(x: number): number {
    if (!(x >= 0)) return -Infinity;
    const z = x / this.scale;
    return Math.log(2 / Math.PI) - Math.log(this.scale) - Math.log1p(z * z);
  }

  logProbDerivative(x: number): number {
    return (-2 * x) / (this.scale * this.scale + x * x);
  }

  sample(generator: Generator): number {
    return Math.abs(this.scale * Math.tan(Math.PI * (generator.uniform() - 0.5)));
  }

  toJSON(): PriorState {
    return { type: "HalfCauchyPrior", scale: this.scale };
  }
}
