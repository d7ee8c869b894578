/**
 * The exact solver: float64 Cholesky factorizations on the WASM device, the exact
 * log-likelihood and its gradient (DESIGN.md §3).
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import { NotPositiveDefiniteError, warn } from "../errors.ts";
import type { GradientMap } from "./plan.ts";
import type { KernelCovariance } from "../distributions/covariance.ts";
import type { MeanVector } from "../means/mean.ts";

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

  /** K̂⁻¹ as a new WASM buffer (n × n). */
  inverse(): core.F64Buffer {
    const out = core.F64Buffer.alloc(this.n * this.n);
    core.choleskyInverse(this.factor, this.n, out);
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
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += Math.abs(matrix[i * n + i]);
  meanDiag /= n;
  const tried: number[] = [];
  const factor = core.F64Buffer.alloc(n * n);
  let pivot = -1;
  for (let relative = 0; relative <= JITTER_MAX * 1.0001; relative = nextJitter(relative)) {
    const jitter = relative * meanDiag;
    tried.push(jitter);
    const view = factor.view();
    view.set(matrix);
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
  factor.free();
  throw new NotPositiveDefiniteError(`${what} (${n} × ${n})`, pivot, tried);
}

function nextJitter(relative: number): number {
  return relative === 0 ? JITTER_START : relative * 10;
}

/** The log-density of `y` under N(mean, covariance), and optionally its gradient. */
export interface LogProbResult {
  /** log p(y). */
  value: number;
  /** d log p / d(constrained values) for every parameter involved, or null. */
  gradient: GradientMap | null;
  /** Jitter that had to be added to factor the covariance (0 when none). */
  jitter: number;
}

/**
 * log N(y; μ, K̂) = −½ (rᵀα + log|K̂| + n log 2π), r = y − μ, α = K̂⁻¹ r, with the
 * exact gradient: ∂/∂K̂ = ½ (ααᵀ − K̂⁻¹) contracted with ∂K̂/∂θ for each kernel and
 * noise parameter, and ∂/∂μ = α for the mean's parameters.
 */
export async function exactLogProb(
  mean: MeanVector,
  covariance: KernelCovariance,
  y: Float64Array,
  wantGradient: boolean,
): Promise<LogProbResult> {
  const n = covariance.size;
  const matrix = await covariance.dense();
  using factor = choleskyFactor(matrix, n, "the covariance K + noise");
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = y[i] - mean.values[i];
  const alpha = factor.solve(r);
  let quad = 0;
  for (let i = 0; i < n; i++) quad += r[i] * alpha[i];
  const value = -0.5 * (quad + factor.logdet() + n * Math.log(2 * Math.PI));
  if (!wantGradient) return { value, gradient: null, jitter: factor.jitter };

  // W = K̂⁻¹ − ααᵀ, so that ∂ log p / ∂K̂ = −½ W.
  using w = factor.inverse();
  using alphaBuf = core.F64Buffer.from(alpha);
  core.syr(w, n, -1, alphaBuf);
  const gradient: GradientMap = new Map();
  const gradTheta = core.kernelGradContract(covariance.plan, covariance.x, w);
  for (let k = 0; k < gradTheta.length; k++) gradTheta[k] *= -0.5;
  covariance.plan.scatterGradient(gradTheta, gradient);
  const wView = w.view();
  const dDiagonal = new Float64Array(n);
  for (let i = 0; i < n; i++) dDiagonal[i] = -0.5 * wView[i * n + i];
  for (const term of covariance.diagonalTerms) term.scatterGradient(dDiagonal, gradient);
  mean.scatterGradient(alpha, gradient);
  return { value, gradient, jitter: factor.jitter };
}
