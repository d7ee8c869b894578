/**
 * Cholesky factors held in WASM memory, and the one jitter policy for matrices that
 * float64 rounding makes indefinite.
 *
 * @example
 * ```ts
 * import { choleskyFactor } from "./cholesky_factor.ts";
 * import { ok, strictEqual } from "node:assert";
 * using f = choleskyFactor(Float64Array.of(4, 2, 2, 3), 2, "A");
 * strictEqual(f.jitter, 0);
 * ok(Math.abs(f.logdet() - Math.log(8)) < 1e-15);
 * const x = f.solve(Float64Array.of(6, 5)); // A x = b: x = (1, 1)
 * ok(Math.abs(x[0] - 1) < 1e-15 && Math.abs(x[1] - 1) < 1e-15);
 * ```
 *
 * @module
 */

import * as core from "./core.ts";
import { NotPositiveDefiniteError, warn } from "../errors.ts";

/**
 * Jitter schedule for matrices that are not positive definite in float64: first no
 * jitter, then `JITTER_START · mean|diag|`, growing ×10 up to `JITTER_MAX · mean|diag|`.
 * Any jitter used is reported with a warning; past the last, a
 * {@link NotPositiveDefiniteError}.
 */
export const JITTER_START = 1e-10;
/** The largest relative jitter tried (see {@link JITTER_START}). */
export const JITTER_MAX = 1e-6;

/** A Cholesky factor K̂ = L Lᵀ held in WASM memory. Free it with `using` or `free()`. */
export class CholeskyFactor {
  /** Order of the matrix. */
  readonly n: number;
  /** The lower factor, row-major n × n, in WASM memory. */
  readonly factor: core.F64Buffer;
  /** The jitter that was added to the diagonal (0 when none was needed). */
  readonly jitter: number;

  constructor(n: number, factor: core.F64Buffer, jitter: number) {
    this.n = n;
    this.factor = factor;
    this.jitter = jitter;
  }

  /** log |K̂| = 2 Σ log L_ii. */
  logdet(): number {
    return core.choleskyLogdet(this.factor, this.n);
  }

  /** L⁻¹ B (`transpose` false) or L⁻ᵀ B, for B of n × m (row-major). */
  solveTriangular(b: Float64Array, m: number, transpose: boolean): Float64Array {
    using buf = core.F64Buffer.from(b);
    core.trsmLower(this.factor, this.n, buf, m, transpose);
    return buf.toArray();
  }

  /** K̂⁻¹ B for B of n × m. */
  solve(b: Float64Array, m = 1): Float64Array {
    using buf = core.F64Buffer.from(b);
    core.trsmLower(this.factor, this.n, buf, m, false);
    core.trsmLower(this.factor, this.n, buf, m, true);
    return buf.toArray();
  }

  /**
   * K̂⁻¹ as a new WASM buffer (n × n); with `lowerOnly`, only its lower triangle is
   * written (the upper one holds anything).
   */
  inverse(lowerOnly = false): core.F64Buffer {
    const out = core.F64Buffer.alloc(this.n * this.n);
    if (lowerOnly) core.choleskyInverseLower(this.factor, this.n, out);
    else core.choleskyInverse(this.factor, this.n, out);
    return out;
  }

  /** Release the WASM memory. */
  free(): void {
    this.factor.free();
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

/**
 * Factor the symmetric matrix `matrix` (row-major n × n), adding jitter to the
 * diagonal when float64 rounding makes it indefinite (see {@link JITTER_START}).
 *
 * @param what how to name the matrix in warnings and errors
 * @throws {NotPositiveDefiniteError} when even the largest jitter fails
 */
export function choleskyFactor(matrix: Float64Array, n: number, what: string): CholeskyFactor {
  return factorWithJitter(n, what, (factor) => factor.view().set(matrix));
}

/**
 * The jitter policy, once: `fill` writes the matrix into the factor's buffer (again
 * before every retry, since a failed factorization overwrites it, and without a copy
 * through JS); the mean of its diagonal on the first fill sets the jitter's scale.
 */
export function factorWithJitter(
  n: number,
  what: string,
  fill: (factor: core.F64Buffer) => void,
): CholeskyFactor {
  const factor = core.F64Buffer.alloc(n * n);
  const tried: number[] = [];
  let meanDiag = NaN;
  let pivot = -1;
  try {
    for (let relative = 0; relative <= JITTER_MAX * 1.0001; relative = nextJitter(relative)) {
      fill(factor);
      const view = factor.view();
      if (Number.isNaN(meanDiag)) {
        meanDiag = 0;
        for (let i = 0; i < n; i++) meanDiag += Math.abs(view[i * n + i]);
        meanDiag /= n;
      }
      const jitter = relative * meanDiag;
      tried.push(jitter);
      if (jitter > 0) { for (let i = 0; i < n; i++) view[i * n + i] += jitter; }
      const status = core.cholesky(factor, n);
      if (status === 0) {
        if (jitter > 0) {
          warn(
            `${what} (${n} × ${n}) is not positive definite in float64 (pivot ${pivot}); ` +
              `added jitter ${jitter.toExponential(2)} (${
                relative.toExponential(0)
              } of the mean diagonal) to the diagonal`,
          );
        }
        return new CholeskyFactor(n, factor, jitter);
      }
      pivot = status - 1;
      if (!Number.isFinite(meanDiag) || meanDiag === 0) break;
    }
  } catch (e) {
    factor.free();
    throw e;
  }
  factor.free();
  throw new NotPositiveDefiniteError(`${what} (${n} × ${n})`, pivot, tried);
}

function nextJitter(relative: number): number {
  return relative === 0 ? JITTER_START : relative * 10;
}
