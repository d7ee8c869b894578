/**
 * The Ackley function.
 *
 * @module
 */

import {
  checkDim,
  SyntheticTestFunction,
  type SyntheticTestFunctionOptions,
} from "./synthetic_test_function.ts";

/** Options of the d-dimensional test functions. */
export interface DimOptions extends SyntheticTestFunctionOptions {
  /** Number of dimensions (default 2). */
  dim?: number;
}

/**
 * Ackley on [−32.768, 32.768]ᵈ (BoTorch's `Ackley`, a = 20, b = 0.2, c = 2π):
 * f(x) = −a·exp(−b·√(Σxᵢ²/d)) − exp(Σcos(c·xᵢ)/d) + a + e, minimum 0 at the origin.
 *
 * @example
 * ```ts
 * import { Ackley } from "./ackley.ts";
 * import { ok } from "node:assert";
 * const ackley = new Ackley({ dim: 3 });
 * ok(Math.abs(ackley.evaluateTrue([[0, 0, 0]])[0]) < 1e-14 && ackley.optimalValue === 0);
 * ```
 */
export class Ackley extends SyntheticTestFunction {
  /**
   * Ackley in `dim` dimensions.
   *
   * @param options `dim` (default 2), noise, sign (`negate`), box and seed
   */
  constructor(options: DimOptions = {}) {
    const dim = checkDim(options.dim ?? 2, "Ackley");
    super(
      dim,
      [new Array<number>(dim).fill(-32.768), new Array<number>(dim).fill(32.768)],
      0,
      [new Array<number>(dim).fill(0)],
      options,
    );
  }

  /** Ackley at one point. */
  protected evaluatePoint(x: Float64Array): number {
    let sq = 0;
    let cos = 0;
    for (let i = 0; i < this.dim; i++) {
      sq += x[i] * x[i];
      cos += Math.cos(2 * Math.PI * x[i]);
    }
    return -20 * Math.exp(-0.2 * Math.sqrt(sq / this.dim)) - Math.exp(cos / this.dim) + 20 +
      Math.E;
  }
}
