/**
 * The BBMM (CG) solver's defaults, in one frozen place: every file that needs one reads
 * it from here (the solver, the preconditioner, prediction, exact inference's ladder).
 *
 * @example
 * ```ts
 * import { CG_DEFAULTS } from "./cg_defaults.ts";
 * import { ok, strictEqual } from "node:assert";
 * strictEqual(CG_DEFAULTS.maxIterations, 1000);
 * strictEqual(CG_DEFAULTS.maxRank, 256);
 * ok(Object.isFrozen(CG_DEFAULTS));
 * ```
 *
 * @module
 */

/** The defaults of {@link CG_DEFAULTS}. */
export interface CgDefaults {
  /** CG iterations at most, before the retry with twice as many. */
  readonly maxIterations: number;
  /** Relative residual at which a CG column stops. */
  readonly tolerance: number;
  /** The pivoted-Cholesky preconditioner's largest rank, before the retry with twice it. */
  readonly maxRank: number;
  /**
   * The preconditioner stops once the largest remaining diagonal of K − L Lᵀ is below
   * this fraction of the smallest added diagonal.
   */
  readonly relativeTolerance: number;
  /** Probe vectors of BBMM's stochastic estimates (log-determinant, trace terms). */
  readonly probes: number;
  /**
   * With WebGPU, α is refined against a float64 WASM residual up to this N (an O(N²) CPU
   * product per round).
   */
  readonly float64ResidualUpTo: number;
  /** The LOVE cache's target relative variance error on its sample points. */
  readonly loveTolerance: number;
  /** The LOVE cache's largest rank (at most N). */
  readonly loveMaxRank: number;
}

/** The BBMM solver's defaults (frozen). */
export const CG_DEFAULTS: CgDefaults = Object.freeze({
  maxIterations: 1000,
  tolerance: 1e-7,
  maxRank: 256,
  relativeTolerance: 1e-3,
  probes: 16,
  float64ResidualUpTo: 20_000,
  loveTolerance: 1e-3,
  loveMaxRank: 1024,
});
