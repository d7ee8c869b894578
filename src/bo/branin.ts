/**
 * The Branin function.
 *
 * @module
 */

import {
  SyntheticTestFunction,
  type SyntheticTestFunctionOptions,
} from "./synthetic_test_function.ts";

const B = 5.1 / (4 * Math.PI * Math.PI);
const C = 5 / Math.PI;
const T = 1 / (8 * Math.PI);

/**
 * Branin–Hoo on [−5, 10] × [0, 15] (BoTorch's `Branin`):
 * f(x) = (x₂ − b·x₁² + c·x₁ − 6)² + 10(1 − t)·cos x₁ + 10 with b = 5.1/(4π²), c = 5/π,
 * t = 1/(8π). Three global minimisers, (−π, 12.275), (π, 2.275) and (3π, 2.475), all with
 * f* = 5/(4π) ≈ 0.397887.
 *
 * @example
 * ```ts
 * import { Branin } from "./branin.ts";
 * import { ok } from "node:assert";
 * const branin = new Branin();
 * const [f] = branin.evaluateTrue([[Math.PI, 2.275]]);
 * ok(Math.abs(f - branin.optimalValue) < 1e-14);
 * ok(new Branin({ negate: true }).forward([[Math.PI, 2.275]])[0] === -f);
 * ```
 */
export class Branin extends SyntheticTestFunction {
  /**
   * Branin in two dimensions.
   *
   * @param options noise, sign (`negate`), box and seed
   */
  constructor(options: SyntheticTestFunctionOptions = {}) {
    super(2, [[-5, 0], [10, 15]], 5 / (4 * Math.PI), [
      [-Math.PI, 12.275],
      [Math.PI, 2.275],
      [3 * Math.PI, 2.475],
    ], options);
  }

  /** Branin at one point. */
  protected evaluatePoint(x: Float64Array): number {
    const x1 = x[0];
    const r = x[1] - B * x1 * x1 + C * x1 - 6;
    return r * r + 10 * (1 - T) * Math.cos(x1) + 10;
  }
}
