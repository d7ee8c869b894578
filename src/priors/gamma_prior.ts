/**
 * The gamma prior.
 *
 * @module
 */

import { logGamma } from "../special.ts";
import { checkHyper, Prior, type PriorState } from "./prior.ts";
import type { Generator } from "../random.ts";

/**
 * Gamma(concentration a, rate b), as torch's: log p(x) = a log b − log Γ(a) + (a − 1) log x − b x,
 * for x > 0 (mean a / b).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GammaPrior } from "./gamma_prior.ts";
 * assert.ok(Math.abs(new GammaPrior(1, 2).logProb(0.5) - (Math.LN2 - 1)) < 1e-14);
 * ```
 */
export class GammaPrior extends Prior {
  readonly concentration: number;
  readonly rate: number;
  readonly support: readonly [number, number] = [0, Infinity];

  constructor(concentration: number, rate: number) {
    super();
    this.concentration = checkHyper("GammaPrior", "concentration", concentration, true);
    this.rate = checkHyper("GammaPrior", "rate", rate, true);
  }

  logProb(x: number): number {
    if (!(x > 0)) return -Infinity;
    const a = this.concentration, b = this.rate;
    return a * Math.log(b) - logGamma(a) + (a - 1) * Math.log(x) - b * x;
  }

  logProbDerivative(x: number): number {
    return (this.concentration - 1) / x - this.rate;
  }

  /** Marsaglia and Tsang's method (with the a < 1 boost). */
  sample(generator: Generator): number {
    let a = this.concentration;
    let boost = 1;
    if (a < 1) {
      boost = Math.pow(generator.uniform(), 1 / a);
      a += 1;
    }
    const d = a - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    while (true) {
      let z: number, v: number;
      do {
        z = generator.normal();
        v = 1 + c * z;
      } while (v <= 0);
      v = v * v * v;
      const u = generator.uniform();
      if (u < 1 - 0.0331 * z ** 4 || Math.log(u) < 0.5 * z * z + d * (1 - v + Math.log(v))) {
        return (boost * d * v) / this.rate;
      }
    }
  }

  toJSON(): PriorState {
    return { type: "GammaPrior", concentration: this.concentration, rate: this.rate };
  }
}
