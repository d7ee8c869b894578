/**
 * The Levy function.
 *
 * @module
 */

import { checkDim, SyntheticTestFunction } from "./synthetic_test_function.ts";
import type { DimOptions } from "./ackley.ts";

/**
 * Levy on [−10, 10]ᵈ (BoTorch's `Levy`): with wᵢ = 1 + (xᵢ − 1)/4,
 * f(x) = sin²(πw₁) + Σᵢ₌₁^{d−1} (wᵢ − 1)²(1 + 10 sin²(πwᵢ + 1)) + (w_d − 1)²(1 + sin²(2πw_d)),
 * minimum 0 at (1, …, 1).
 *
 * @example
 * ```ts
 * import { Levy } from "./levy.ts";
 * import { ok } from "node:assert";
 * const levy = new Levy({ dim: 4 });
 * ok(Math.abs(levy.evaluateTrue([[1, 1, 1, 1]])[0]) < 1e-15 && levy.dim === 4);
 * ```
 */
export class Levy extends SyntheticTestFunction {
  /**
   * Levy in `dim` dimensions.
   *
   * @param options `dim` (default 2), noise, sign (`negate`), box and seed
   */
  constructor(options: DimOptions = {}) {
    const dim = checkDim(options.dim ?? 2, "Levy");
    super(
      dim,
      [new Array<number>(dim).fill(-10), new Array<number>(dim).fill(10)],
      0,
      [new Array<number>(dim).fill(1)],
      options,
    );
  }

  /** Levy at one point. */
  protected evaluatePoint(x: Float64Array): number {
    const d = this.dim;
    const w = (i: number) => 1 + (x[i] - 1) / 4;
    const s1 = Math.sin(Math.PI * w(0));
    let f = s1 * s1;
    for (let i = 0; i < d - 1; i++) {
      const wi = w(i);
      const s = Math.sin(Math.PI * wi + 1);
      f += (wi - 1) * (wi - 1) * (1 + 10 * s * s);
    }
    const wd = w(d - 1);
    const sd = Math.sin(2 * Math.PI * wd);
    return f + (wd - 1) * (wd - 1) * (1 + sd * sd);
  }
}
