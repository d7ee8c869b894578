/**
 * The normal prior.
 *
 * @module
 */

import { checkHyper, Prior, type PriorState } from "./prior.ts";
import type { Generator } from "../random.ts";

/**
 * N(loc, scale²): log p(x) = −½((x − loc)/scale)² − log scale − ½ log 2π.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NormalPrior } from "./normal_prior.ts";
 * assert.ok(Math.abs(new NormalPrior(0, 1).logProb(0) + 0.5 * Math.log(2 * Math.PI)) < 1e-15);
 * ```
 */
export class NormalPrior extends Prior {
  readonly loc: number;
  readonly scale: number;
  readonly support: readonly [number, number] = [-Infinity, Infinity];

  constructor(loc: number, scale: number) {
    super();
    this.loc = checkHyper("NormalPrior", "loc", loc, false);
    this.scale = checkHyper("NormalPrior", "scale", scale, true);
  }

  logProb(x: number): number {
    const z = (x - this.loc) / this.scale;
    return -0.5 * z * z - Math.log(this.scale) - 0.5 * Math.log(2 * Math.PI);
  }

  logProbDerivative(x: number): number {
    return -(x - this.loc) / (this.scale * this.scale);
  }

  sample(generator: Generator): number {
    return this.loc + this.scale * generator.normal();
  }

  toJSON(): PriorState {
    return { type: "NormalPrior", loc: this.loc, scale: this.scale };
  }
}
