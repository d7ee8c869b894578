/**
 * The BBMM preconditioner: a rank-k pivoted Cholesky factor L of the kernel matrix
 * (float64, from k kernel rows), and P = L Lᵀ + D with D the added diagonal (noise),
 * whose solves, log-determinant and samples are exact (Woodbury, a k × k Cholesky).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PivotedCholeskyPreconditioner } from "./pivoted_cholesky.ts";
 * // K = [[1, .5], [.5, 1]] given by rows, noise 0.1.
 * const k = [[1, 0.5], [0.5, 1]];
 * const p = PivotedCholeskyPreconditioner.build(
 *   2, Float64Array.of(1, 1), (i) => Float64Array.from(k[i]), Float64Array.of(0.1, 0.1), { maxRank: 2 },
 * );
 * assert.equal(p.rank, 2);
 * assert.ok(Math.abs(p.logdet() - Math.log(1.1 ** 2 - 0.25)) < 1e-14); // log|K + 0.1 I|
 * ```
 *
 * @module
 */

import type { Generator } from "../random.ts";
import * as core from "../wasm/core.ts";
import { gemmOf as product } from "../wasm/gemm_of.ts";
import { CG_DEFAULTS } from "./cg_defaults.ts";

/** Options of the preconditioner. */
export interface PreconditionerOptions {
  /** The largest rank (default {@link CG_DEFAULTS}.maxRank, 256; at most N). */
  maxRank?: number;
  /**
   * Stop once the largest remaining diagonal of K − L Lᵀ is below this fraction of the
   * smallest added diagonal (default {@link CG_DEFAULTS}.relativeTolerance, 1e-3).
   */
  relativeTolerance?: number;
}

/** P = L Lᵀ + D. */
export class PivotedCholeskyPreconditioner {
  /** Number of rows. */
  readonly n: number;
  /** The rank k. */
  readonly rank: number;
  /** L, n × k row-major. */
  readonly l: Float64Array;
  /** D, the added diagonal. */
  readonly d: Float64Array;
  /** The largest remaining diagonal entry of K − L Lᵀ. */
  readonly residualMax: number;
  /**
   * Whether the factorization stopped at its tolerance rather than at its largest rank:
   * K − L Lᵀ is then below the tolerance's fraction of the noise everywhere, so CG
   * needs few iterations and the probes estimate only a small remainder.
   */
  readonly complete: boolean;
  /** Cholesky factor of M = I + Lᵀ D⁻¹ L (k × k lower, row-major). */
  readonly #mChol: Float64Array;
  /** Lᵀ (k × n, row-major), for the products of the solves. */
  readonly #lt: Float64Array;

  private constructor(
    n: number,
    rank: number,
    l: Float64Array,
    d: Float64Array,
    residualMax: number,
    complete: boolean,
  ) {
    this.n = n;
    this.rank = rank;
    this.l = l;
    this.d = d;
    this.residualMax = residualMax;
    this.complete = complete;
    const k = rank;
    // M = I + Lᵀ (D⁻¹ L): one GEMM on the core (n k² flops, too many for a JS loop).
    const lt = new Float64Array(k * n), ld = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < k; a++) {
        lt[a * n + i] = l[i * k + a];
        ld[i * k + a] = l[i * k + a] / d[i];
      }
    }
    const m = k === 0 ? new Float64Array(0) : product(lt, ld, k, n, k);
    for (let a = 0; a < k; a++) m[a * k + a] += 1;
    denseCholesky(m, k);
    this.#mChol = m;
    this.#lt = lt;
  }

  /**
   * Pivoted Cholesky of K from its diagonal and rows.
   *
   * @param n the order
   * @param diag diag K
   * @param row row i of K (length n), float64
   * @param added the diagonal added to K (noise), all > 0
   */
  static build(
    n: number,
    diag: Float64Array,
    row: (i: number) => Float64Array,
    added: Float64Array,
    options: PreconditionerOptions = {},
  ): PivotedCholeskyPreconditioner {
    let minAdded = Infinity;
    for (let i = 0; i < n; i++) {
      if (!(added[i] > 0)) {
        throw new RangeError(
          `the BBMM solver needs a positive noise diagonal, got ${added[i]} at row ${i}; ` +
            `use solver: "cholesky"`,
        );
      }
      minAdded = Math.min(minAdded, added[i]);
    }
    const maxRank = Math.min(n, options.maxRank ?? CG_DEFAULTS.maxRank);
    const tol = (options.relativeTolerance ?? CG_DEFAULTS.relativeTolerance) * minAdded;
    const cols: Float64Array[] = [];
    const d = diag.slice();
    let rMax = 0;
    for (;;) {
      let p = 0;
      rMax = -Infinity;
      for (let i = 0; i < n; i++) if (d[i] > rMax) (rMax = d[i], p = i);
      if (cols.length >= maxRank || rMax <= tol) break;
      // col = (K[p, :] − Σ_c c[p] c) / √rMax, one contiguous axpy per earlier column.
      const col = Float64Array.from(row(p));
      const s = Math.sqrt(rMax);
      for (const c of cols) {
        const f = c[p];
        for (let i = 0; i < n; i++) col[i] -= f * c[i];
      }
      for (let i = 0; i < n; i++) col[i] /= s;
      col[p] = s;
      for (let i = 0; i < n; i++) d[i] -= col[i] * col[i];
      d[p] = 0;
      cols.push(col);
    }
    const k = cols.length;
    const l = new Float64Array(n * k);
    for (let a = 0; a < k; a++) for (let i = 0; i < n; i++) l[i * k + a] = cols[a][i];
    return new PivotedCholeskyPreconditioner(
      n,
      k,
      l,
      added.slice(),
      Math.max(rMax, 0),
      rMax <= tol,
    );
  }

  /** P⁻¹ V for V of n × t (row-major). */
  solve(v: Float64Array, t: number): Float64Array {
    const n = this.n, k = this.rank, l = this.l;
    const out = new Float64Array(n * t);
    for (let i = 0; i < n * t; i++) out[i] = v[i] / this.d[Math.floor(i / t)];
    if (k === 0) return out;
    // s = Lᵀ D⁻¹ V (k × t); solve M s' = s; out −= D⁻¹ L s'. The two products on the core.
    const s = product(this.#lt, out, k, n, t);
    choleskySolve(this.#mChol, k, s, t);
    const ls = product(l, s, n, k, t);
    for (let i = 0; i < n; i++) {
      const inv = 1 / this.d[i];
      for (let c = 0; c < t; c++) out[i * t + c] -= inv * ls[i * t + c];
    }
    return out;
  }

  /** log |P| = Σ log D + log |M|. */
  logdet(): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) s += Math.log(this.d[i]);
    for (let a = 0; a < this.rank; a++) s += 2 * Math.log(this.#mChol[a * this.rank + a]);
    return s;
  }

  /** t draws from N(0, P), n × t row-major: L g + √D h. */
  sample(rng: Generator, t: number): Float64Array {
    const n = this.n, k = this.rank;
    const g = rng.normals(k * t), h = rng.normals(n * t);
    const out = k === 0 ? new Float64Array(n * t) : product(this.l, g, n, k, t);
    for (let i = 0; i < n; i++) {
      const sd = Math.sqrt(this.d[i]);
      for (let c = 0; c < t; c++) out[i * t + c] += sd * h[i * t + c];
    }
    return out;
  }

  /**
   * The low-rank part of P⁻¹ as a root: P⁻¹ = D⁻¹ − V Vᵀ with V = D⁻¹ L R⁻ᵀ (n × k),
   * where R Rᵀ = M = I + Lᵀ D⁻¹ L (Woodbury). With it the exact trace terms tr(P⁻¹ A)
   * need only the quadratic forms v_aᵀ A v_a, one per column.
   */
  lowRankInverseRoot(): Float64Array {
    const n = this.n, k = this.rank;
    // Vᵀ = R⁻¹ (D⁻¹ L)ᵀ: a triangular solve with n right-hand sides, on the core.
    const vt = new Float64Array(k * n);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < k; a++) vt[a * n + i] = this.l[i * k + a] / this.d[i];
    }
    const solved = k === 0 ? vt : core.solveLower(this.#mChol, k, vt, n, false);
    const v = new Float64Array(n * k);
    for (let i = 0; i < n; i++) for (let a = 0; a < k; a++) v[i * k + a] = solved[a * n + i];
    return v;
  }
}

/** In-place Cholesky of a small dense SPD matrix (lower, row-major). */
function denseCholesky(a: Float64Array, k: number): void {
  for (let j = 0; j < k; j++) {
    let s = a[j * k + j];
    for (let q = 0; q < j; q++) s -= a[j * k + q] * a[j * k + q];
    if (!(s > 0)) throw new RangeError(`preconditioner: I + LᵀD⁻¹L is not positive definite`);
    const ljj = Math.sqrt(s);
    a[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let v = a[i * k + j];
      for (let q = 0; q < j; q++) v -= a[i * k + q] * a[j * k + q];
      a[i * k + j] = v / ljj;
    }
    for (let q = j + 1; q < k; q++) a[j * k + q] = 0;
  }
}

/** B ← L⁻¹ B for B of k × t (L lower, row-major). */
function forwardSolve(l: Float64Array, k: number, b: Float64Array, t: number): void {
  for (let i = 0; i < k; i++) {
    for (let q = 0; q < i; q++) {
      const f = l[i * k + q];
      if (f !== 0) { for (let c = 0; c < t; c++) b[i * t + c] -= f * b[q * t + c]; }
    }
    const inv = 1 / l[i * k + i];
    for (let c = 0; c < t; c++) b[i * t + c] *= inv;
  }
}

/** B ← (L Lᵀ)⁻¹ B for B of k × t. */
function choleskySolve(l: Float64Array, k: number, b: Float64Array, t: number): void {
  forwardSolve(l, k, b, t);
  for (let i = k - 1; i >= 0; i--) {
    for (let q = i + 1; q < k; q++) {
      const f = l[q * k + i];
      if (f !== 0) { for (let c = 0; c < t; c++) b[i * t + c] -= f * b[q * t + c]; }
    }
    const inv = 1 / l[i * k + i];
    for (let c = 0; c < t; c++) b[i * t + c] *= inv;
  }
}
