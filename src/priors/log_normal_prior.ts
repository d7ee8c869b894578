/**
 * The log-normal prior.
 *
 * @module
 */

import { checkHyper, Prior, type PriorState } from "./prior.ts";
import type { Generator } from "../random.ts";

/**
 * log x ~ N(loc, scale²): log p(x) = −log x − log scale − ½ log 2π − (log x − loc)²/(2 scale²),
 * for x > 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LogNormalPrior } from "./log_normal_prior.ts";
 * assert.ok(Math.abs(new LogNormalPrior(0, 1).logProb(1) + 0.5 * Math.log(2 * Math.PI)) < 1e-15);
 * ```
 */
export class LogNormalPrior extends Prior {
  readonly loc: number;
  readonly scale: number;
  readonly support: readonly [number, number] = [0, Infinity];

  constructor(loc: number, scale: number) {
    super();
    this.loc = checkHyper("LogNormalPrior", "loc", loc, false);
    this.scale = checkHyper("LogNormalPrior", "scale", scale, true);
  }

  logProb(x: number): number {
    if (!(x > 0)) return -Infinity;
    const z = (Math.log(x) - this.loc) / this.scale;
    return -Math.log(x) - Math.log(this.scale) - 0.5 * Math.log(2 * Math.PI) - 0.5 * z * z;
  }

  logProbDerivative(x: number): number {
    return -1 / x - (Math.log(x) - this.loc) / (this.scale * this.scale * x);
  }

  sample(generator: Generator): number {
    return Math.exp(this.loc + this.scale * generator.normal());
  }

  toJSON(): PriorState {
    return { type: "LogNormalPrior", loc: this.loc, scale: this.scale };
  }
}
