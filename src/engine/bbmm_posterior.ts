/**
 * Prediction on the BBMM (CG) path, on either device:
 *
 * - the posterior mean from the cached solve α = K̂⁻¹(y − μ) (CG, refined against a
 *   float64 residual when the products come from a float32 device);
 * - exact predictive variances by solves: batched PCG on the columns of K(X, X*),
 *   refined the same way, var* = k** − k*ᵀ K̂⁻¹ k*;
 * - fast predictive variances (`settings.fastPredVar()`, GPyTorch's LOVE): a root
 *   K̂⁻¹ ≈ R Rᵀ of rank k, built once per training state, then O(N k) per test point.
 *
 * The LOVE cache here is not GPyTorch's: a Lanczos run started at the mean cache
 * alone (rank 100, float32) misses most directions of K̂ at small lengthscales, and its
 * variances come out too wide (5× on the seed workload). Here the Lanczos basis is
 * augmented with the pivoted-Cholesky preconditioner's columns, which span K's
 * significant eigen-directions; the Rayleigh–Ritz matrix Vᵀ K̂ V is formed with float64
 * products (when the residual operator allows) and factored in float64; and the cache
 * checks itself on sample points (training points and midpoints) against solves, growing
 * the Lanczos part until the variances there agree to `loveTolerance`, and warning when
 * they do not.
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import { warn } from "../errors.ts";
import { Generator } from "../random.ts";
import type { Inputs } from "../tensor.ts";
import type { KernelCovariance } from "../distributions/covariance.ts";
import type { KernelOperator } from "../kernel_operator.ts";
import type { PredictionSolve, QuadraticFactors } from "../prediction_solve.ts";
import { gemmOf as gemm } from "../wasm/gemm_of.ts";
import { CG_DEFAULTS } from "./cg_defaults.ts";
import type { PivotedCholeskyPreconditioner } from "./pivoted_cholesky.ts";
import { bbmmSolve } from "./cg.ts";

/** Options of the BBMM prediction solve. */
export interface CgPredictionOptions {
  /** CG iterations at most (default 1000). */
  maxIterations?: number;
  /** Relative residual at which a column stops (default 1e-7, before refinement). */
  tolerance?: number;
  /**
   * Largest relative error of the fast variances on the cache's sample points
   * (default 1e-3); the Lanczos part grows until it is reached.
   */
  loveTolerance?: number;
  /** The LOVE cache's largest rank (default min(N, 1024)). */
  loveMaxRank?: number;
}

/** What the LOVE cache reached. */
export interface LoveDiagnostics {
  /** Rank of the root R (preconditioner columns + Lanczos vectors). */
  rank: number;
  /** Of which Lanczos vectors. */
  lanczosSteps: number;
  /** Largest relative variance error on the sample points. */
  sampleError: number;
  /** Number of sample points checked. */
  samples: number;
}

/** Columns per batched solve (bounds the device memory to O(N · COLUMN_BLOCK)). */
const COLUMN_BLOCK = 512;

/** The training data's BBMM solve, kept for prediction. */
export class CgTrainingSolve implements PredictionSolve {
  readonly x: Inputs;
  readonly alpha: Float64Array;
  readonly solver = "cg" as const;
  readonly device: string;
  /** CG's relative residual for α (against the residual operator). */
  readonly residual: number;
  readonly #covariance: KernelCovariance;
  readonly #precond: PivotedCholeskyPreconditioner;
  readonly #withOperators: <T>(
    fn: (op: KernelOperator, ref: KernelOperator) => Promise<T>,
  ) => Promise<T>;
  readonly #options: CgPredictionOptions;
  #love: Promise<{ rt: Float64Array; rank: number; diagnostics: LoveDiagnostics }> | null = null;

  /**
   * @param covariance K̂ (kernel and noise)
   * @param precond its preconditioner
   * @param alpha the solved mean cache
   * @param residual α's relative residual
   * @param device the device, in words
   * @param withOperators runs `fn` with the solving and the residual operator, disposed after
   * @param options solve and cache options
   */
  constructor(
    covariance: KernelCovariance,
    precond: PivotedCholeskyPreconditioner,
    alpha: Float64Array,
    residual: number,
    device: string,
    withOperators: <T>(
      fn: (op: KernelOperator, ref: KernelOperator) => Promise<T>,
    ) => Promise<T>,
    options: CgPredictionOptions = {},
  ) {
    this.#covariance = covariance;
    this.x = covariance.x;
    this.#precond = precond;
    this.alpha = alpha;
    this.residual = residual;
    this.device = device;
    this.#withOperators = withOperators;
    this.#options = options;
  }

  get n(): number {
    return this.x.n;
  }

  /** K̂⁻¹ B for B of n × m, in column blocks; warns when a block does not converge. */
  solveColumns(b: Float64Array, m: number): Promise<Float64Array> {
    const n = this.n;
    const added = this.#covariance.addedDiagonal();
    return this.#withOperators(async (op, ref) => {
      const out = new Float64Array(n * m);
      for (let j0 = 0; j0 < m; j0 += COLUMN_BLOCK) {
        const c = Math.min(COLUMN_BLOCK, m - j0);
        const block = new Float64Array(n * c);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < c; j++) block[i * c + j] = b[i * m + j0 + j];
        }
        const r = await bbmmSolve(op, added, this.#precond, block, c, {
          maxIterations: this.#options.maxIterations,
          tolerance: this.#options.tolerance,
          residualOperator: ref,
        });
        if (!r.converged && r.residual > (this.#options.tolerance ?? CG_DEFAULTS.tolerance)) {
          warn(
            `predictive variances: CG (${op.device}) reached a relative residual of ` +
              `${r.residual.toExponential(2)} only (tolerance ` +
              `${
                (this.#options.tolerance ?? CG_DEFAULTS.tolerance).toExponential(0)
              }); the variances are ` +
              `that inexact — raise cg.maxIterations or the preconditioner rank`,
          );
        }
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < c; j++) out[i * m + j0 + j] = r.x[i * c + j];
        }
      }
      return out;
    });
  }

  async quadraticFactors(
    cross: Float64Array,
    m: number,
    fast: boolean,
  ): Promise<QuadraticFactors> {
    if (!fast) return { a: cross, b: await this.solveColumns(cross, m), rows: this.n };
    const { rt, rank } = await this.#loveCache();
    const out = rank > 0 ? gemm(rt, cross, rank, this.n, m) : new Float64Array(0);
    return { a: out, b: out, rows: rank };
  }

  /** The LOVE cache's diagnostics (building it if needed). */
  async loveDiagnostics(): Promise<LoveDiagnostics> {
    return (await this.#loveCache()).diagnostics;
  }

  #loveCache(): Promise<{ rt: Float64Array; rank: number; diagnostics: LoveDiagnostics }> {
    if (this.#love === null) {
      this.#love = this.#buildLove();
      this.#love.catch(() => (this.#love = null));
    }
    return this.#love;
  }

  async #buildLove(): Promise<
    { rt: Float64Array; rank: number; diagnostics: LoveDiagnostics }
  > {
    const n = this.n, plan = this.#covariance.plan, x = this.x, d = x.d;
    const added = this.#covariance.addedDiagonal();
    const tol = this.#options.loveTolerance ?? CG_DEFAULTS.loveTolerance;
    const maxRank = Math.min(n, this.#options.loveMaxRank ?? CG_DEFAULTS.loveMaxRank);

    // Sample points: training points and midpoints of random pairs (seeded).
    const rng = new Generator(7);
    const s = Math.min(n, 8);
    const pts = new Float64Array(2 * s * d);
    for (let q = 0; q < s; q++) {
      const i = Math.floor(rng.uniform() * n), j = Math.floor(rng.uniform() * n);
      for (let e = 0; e < d; e++) {
        pts[q * d + e] = x.data[i * d + e];
        pts[(s + q) * d + e] = 0.5 * (x.data[i * d + e] + x.data[j * d + e]);
      }
    }
    const sampleSet = { data: pts, n: 2 * s, d };
    const ks = core.kernelMatrix(plan, x, sampleSet); // n × 2s
    const kss = core.kernelDiag(plan, sampleSet);
    const solved = await this.solveColumns(ks, 2 * s);
    const exactVar = new Float64Array(2 * s);
    for (let j = 0; j < 2 * s; j++) {
      let q = 0;
      for (let i = 0; i < n; i++) q += ks[i * 2 * s + j] * solved[i * 2 * s + j];
      exactVar[j] = kss[j] - q;
    }

    return this.#withOperators(async (op, ref) => {
      // The basis V (columns, orthonormal): the preconditioner's columns first.
      const basis: Float64Array[] = [];
      const k0 = this.#precond.rank, l = this.#precond.l;
      for (let a = 0; a < k0 && basis.length < maxRank; a++) {
        const v = new Float64Array(n);
        for (let i = 0; i < n; i++) v[i] = l[i * k0 + a];
        if (orthonormalize(v, basis)) basis.push(v);
      }
      const fromPrecond = basis.length;
      // Then Lanczos on K̂ started at the mean cache, reorthogonalized against everything.
      let q: Float64Array = this.alpha.slice();
      let lanczos = 0;
      const kv: Float64Array[] = []; // K̂ v for each basis column, float64 where possible
      let rt: Float64Array = new Float64Array(0), rank = 0, err = Infinity;
      let target = Math.min(maxRank, fromPrecond + 32);
      for (;;) {
        // Grow the basis to `target` columns by Lanczos steps on the device.
        while (basis.length < target) {
          if (!orthonormalize(q, basis)) {
            // The Krylov space is exhausted: restart from a random direction.
            q = rng.normals(n);
            if (!orthonormalize(q, basis)) break;
          }
          basis.push(q);
          lanczos++;
          const w = await op.mvm(q, 1);
          for (let i = 0; i < n; i++) w[i] += added[i] * q[i];
          q = w;
        }
        // K̂ V for the new columns, with the residual (float64) operator.
        const fresh = basis.length - kv.length;
        if (fresh > 0) {
          const v = new Float64Array(n * fresh);
          for (let c = 0; c < fresh; c++) {
            const col = basis[kv.length + c];
            for (let i = 0; i < n; i++) v[i * fresh + c] = col[i];
          }
          const prod = await ref.mvm(v, fresh);
          for (let c = 0; c < fresh; c++) {
            const col = new Float64Array(n);
            for (let i = 0; i < n; i++) col[i] = prod[i * fresh + c] + added[i] * v[i * fresh + c];
            kv.push(col);
          }
        }
        // Rayleigh–Ritz: H = Vᵀ K̂ V = C Cᵀ, R = V C⁻ᵀ, so Rᵀ = C⁻¹ Vᵀ.
        rank = basis.length;
        const vt = new Float64Array(rank * n), kvm = new Float64Array(n * rank);
        for (let a = 0; a < rank; a++) {
          vt.set(basis[a], a * n);
          const ka = kv[a];
          for (let i = 0; i < n; i++) kvm[i * rank + a] = ka[i];
        }
        const h = gemm(vt, kvm, rank, n, rank);
        for (let a = 0; a < rank; a++) {
          for (let b = 0; b < a; b++) {
            h[a * rank + b] = h[b * rank + a] = 0.5 * (h[a * rank + b] + h[b * rank + a]);
          }
        }
        const chol = core.choleskyOf(h, rank);
        if (chol.status !== 0) {
          throw new RangeError(
            `fast predictive variances: the Rayleigh–Ritz matrix of rank ${rank} is not ` +
              `positive definite (pivot ${chol.status - 1}); use exact variances`,
          );
        }
        rt = core.solveLower(chol.factor, rank, vt, n, false);
        // The self-check on the sample points.
        const proj = gemm(rt, ks, rank, n, 2 * s);
        err = 0;
        for (let j = 0; j < 2 * s; j++) {
          let fq = 0;
          for (let a = 0; a < rank; a++) fq += proj[a * 2 * s + j] ** 2;
          const fastVar = kss[j] - fq;
          err = Math.max(err, Math.abs(fastVar - exactVar[j]) / Math.abs(exactVar[j]));
        }
        if (err <= tol || rank >= maxRank || basis.length < target) break;
        target = Math.min(maxRank, fromPrecond + 2 * (basis.length - fromPrecond));
      }
      if (!(err <= tol)) {
        warn(
          `fast predictive variances: the LOVE cache of rank ${rank} (${lanczos} Lanczos ` +
            `vectors) reaches a relative variance error of ${err.toExponential(2)} on its ` +
            `sample points (target ${tol.toExponential(0)}); raise cg.loveMaxRank or use ` +
            `exact variances (no fastPredVar)`,
        );
      }
      return {
        rt,
        rank,
        diagnostics: { rank, lanczosSteps: lanczos, sampleError: err, samples: 2 * s },
      };
    });
  }
}

/**
 * v ← v orthogonalized against the orthonormal `basis` (twice, modified Gram–Schmidt)
 * and normalized; false when nothing is left of it.
 */
function orthonormalize(v: Float64Array, basis: readonly Float64Array[]): boolean {
  const n = v.length;
  let norm0 = 0;
  for (let i = 0; i < n; i++) norm0 += v[i] * v[i];
  norm0 = Math.sqrt(norm0);
  if (!(norm0 > 0)) return false;
  for (let pass = 0; pass < 2; pass++) {
    for (const b of basis) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += b[i] * v[i];
      for (let i = 0; i < n; i++) v[i] -= dot * b[i];
    }
  }
  let norm = 0;
  for (let i = 0; i < n; i++) norm += v[i] * v[i];
  norm = Math.sqrt(norm);
  if (!(norm > 1e-8 * norm0)) return false;
  for (let i = 0; i < n; i++) v[i] /= norm;
  return true;
}
