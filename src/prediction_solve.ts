/**
 * What prediction needs from the training data, whichever solver made it: the Cholesky
 * `TrainingSolve` (src/engine/exact_posterior.ts) or the BBMM `CgTrainingSolve`
 * (src/engine/bbmm_posterior.ts).
 *
 * @example
 * ```ts
 * import type { PredictionSolve } from "./prediction_solve.ts";
 * import { toInputs } from "./tensor.ts";
 * import { strictEqual } from "node:assert";
 * // One training point with K̂ = 2: α = (y − μ)/2, K(x*, X) K̂⁻¹ K(X, x*) = k*²/2.
 * const solve: PredictionSolve = {
 *   x: toInputs([0], "x"), n: 1, alpha: Float64Array.of(0.5), solver: "cholesky", device: "JS",
 *   quadraticFactors: (cross, m) =>
 *     Promise.resolve({ a: cross.map((c) => c / Math.SQRT2), b: cross.map((c) => c / Math.SQRT2), rows: m }),
 * };
 * const { a, b } = await solve.quadraticFactors(Float64Array.of(1), 1, false);
 * strictEqual(Math.abs(a[0] * b[0] - 0.5) < 1e-15, true);
 * ```
 *
 * @module
 */

import type { Inputs } from "./tensor.ts";

/** Factors A, B (rows × m, row-major) with K(X*, X) K̂⁻¹ K(X, X*) = Aᵀ B. */
export interface QuadraticFactors {
  /** A, rows × m. */
  a: Float64Array;
  /** B, rows × m (may be A itself). */
  b: Float64Array;
  /** Rows of A and B. */
  rows: number;
}

/** What prediction needs from the training data, whichever solver made it. */
export interface PredictionSolve {
  /** The training inputs. */
  readonly x: Inputs;
  /** Number of training points. */
  readonly n: number;
  /** K̂⁻¹ (y − μ), the mean cache. */
  readonly alpha: Float64Array;
  /** The solver that made it. */
  readonly solver: "cholesky" | "cg";
  /** The device the products ran on, in words. */
  readonly device: string;
  /**
   * K(X*, X) K̂⁻¹ K(X, X*) in factored form, for `cross` = K(X, X*) (n × m): exact,
   * or from the fast-variance cache with `fast`.
   */
  quadraticFactors(cross: Float64Array, m: number, fast: boolean): Promise<QuadraticFactors>;
}
