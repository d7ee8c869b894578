/**
 * The Rosenbrock function.
 *
 * @module
 */

import { checkDim, SyntheticTestFunction } from "./synthetic_test_function.ts";
import type { DimOptions } from "./ackley.ts";

/**
 * Rosenbrock on [−5, 10]ᵈ, d ≥ 2 (BoTorch's `Rosenbrock`):
 * f(x) = Σᵢ₌₁^{d−1} 100(xᵢ₊₁ − xᵢ²)² + (xᵢ − 1)², minimum 0 at (1, …, 1).
 *
 * @example
 * ```ts
 * import { Rosenbrock } from "./rosenbrock.ts";
 * import { ok } from "node:assert";
 * const rosen = new Rosenbrock({ dim: 3 });
 * ok(rosen.evaluateTrue([[1, 1, 1], [0, 0, 0]]).join() === "0,2");
 * ```
 */
export class Rosenbrock extends SyntheticTestFunction {
  /**
   * Rosenbrock in `dim` dimensions.
   *
   * @param options `dim` (default 2, at least 2), noise, sign (`negate`), box and seed
   */
  constructor(options: DimOptions = {}) {
    const dim = checkDim(options.dim ?? 2, "Rosenbrock", 2);
    super(
      dim,
      [new Array<number>(dim).fill(-5), new Array<number>(dim).fill(10)],
      0,
      [new Array<number>(dim).fill(1)],
      options,
    );
  }

  /** Rosenbrock at one point. */
  protected evaluatePoint(x: Float64Array): number {
    let f = 0;
    for (let i = 0; i < this.dim - 1; i++) {
      const a = x[i + 1] - x[i] * x[i];
      const b = x[i] - 1;
      f += 100 * a * a + b * b;
    }
    return f;
  }
}
