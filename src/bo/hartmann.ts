/**
 * The Hartmann functions in 3 and 6 dimensions.
 *
 * @module
 */

import {
  SyntheticTestFunction,
  type SyntheticTestFunctionOptions,
} from "./synthetic_test_function.ts";

const ALPHA = [1.0, 1.2, 3.0, 3.2];
const A: Record<3 | 6, number[][]> = {
  3: [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]],
  6: [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
  ],
};
const P: Record<3 | 6, number[][]> = {
  3: [[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]],
  6: [
    [1312, 1696, 5569, 124, 8283, 5886],
    [2329, 4135, 8307, 3736, 1004, 9991],
    [2348, 1451, 3522, 2883, 3047, 6650],
    [4047, 8828, 8732, 5743, 1091, 381],
  ],
};
/** Minimisers polished by BFGS to a gradient below 3e-9 (BoTorch lists them to 6 digits). */
const OPTIMA: Record<3 | 6, { x: number[]; f: number }> = {
  3: {
    x: [0.11458887665506894, 0.5556488946169301, 0.8525469846866774],
    f: -3.862779787332663,
  },
  6: {
    x: [
      0.20168951106707078,
      0.1500106917656386,
      0.47687397407198845,
      0.27533243050111433,
      0.31165161659751395,
      0.6573005340666485,
    ],
    f: -3.3223680114155147,
  },
};

/** Options of {@link Hartmann}. */
export interface HartmannOptions extends SyntheticTestFunctionOptions {
  /** 6 (default) or 3. */
  dim?: number;
}

/**
 * Hartmann on [0, 1]ᵈ, d = 6 (default) or 3 (BoTorch's `Hartmann`):
 * f(x) = −Σᵢ αᵢ exp(−Σⱼ Aᵢⱼ (xⱼ − Pᵢⱼ)²). Hartmann-6 has six local minima and the global one
 * f* ≈ −3.32237 near (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573); Hartmann-3's is
 * f* ≈ −3.86278 near (0.114614, 0.555649, 0.852547).
 *
 * @example
 * ```ts
 * import { Hartmann } from "./hartmann.ts";
 * import { ok } from "node:assert";
 * const h6 = new Hartmann({ negate: true });
 * ok(Math.abs(h6.forward([h6.optimizers[0]])[0] - 3.32237) < 1e-5);
 * ok(h6.optimalValue > 3.3223 && h6.dim === 6);
 * ```
 */
export class Hartmann extends SyntheticTestFunction {
  #a: number[][];
  #p: number[][];

  /**
   * Hartmann in 6 (or 3) dimensions.
   *
   * @param options `dim`, noise, sign (`negate`), box and seed
   */
  constructor(options: HartmannOptions = {}) {
    const dim = options.dim ?? 6;
    if (dim !== 3 && dim !== 6) {
      throw new RangeError(`Hartmann(options.dim): dim = ${dim}; pass 6 (the default) or 3`);
    }
    const lower = new Array<number>(dim).fill(0);
    const upper = new Array<number>(dim).fill(1);
    super(dim, [lower, upper], OPTIMA[dim].f, [OPTIMA[dim].x], options);
    this.#a = A[dim];
    this.#p = P[dim].map((row) => row.map((v) => v * 1e-4));
  }

  /** Hartmann at one point. */
  protected evaluatePoint(x: Float64Array): number {
    let f = 0;
    for (let i = 0; i < 4; i++) {
      let q = 0;
      for (let j = 0; j < this.dim; j++) {
        const r = x[j] - this.#p[i][j];
        q += this.#a[i][j] * r * r;
      }
      f -= ALPHA[i] * Math.exp(-q);
    }
    return f;
  }
}
