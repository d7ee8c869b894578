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
import type { Generator } from "../random.ts";

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
function factorWithJitter(
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

/** How {@link exactLogProb} computes the gradient. */
export interface GradientOptions {
  /**
   * `"exact"` (default): the trace terms from K̂⁻¹ (about n³ flops after the
   * factorization). `"stochastic"`: the loss stays exact (from the Cholesky factor);
   * the trace terms tr(K̂⁻¹ ∂K̂/∂θ) are estimated without bias by Hutchinson's
   * estimator with `probes` Rademacher vectors z, each solved once through the same
   * factor (u = L⁻ᵀ z, so E[u uᵀ] = K̂⁻¹): about n² flops per probe plus one pass of
   * kernel tiles, so a gradient costs little more than the factorization. The
   * variance of the estimate is reported with it.
   */
  gradient?: "exact" | "stochastic";
  /** Probe vectors for `"stochastic"` (default {@link DEFAULT_PROBES}). */
  probes?: number;
  /** Source of the probe vectors for `"stochastic"` (required there). */
  generator?: Generator;
}

/**
 * Default number of probe vectors of the stochastic gradient: 15, so that with α the
 * probe block is 16 columns wide, a multiple of the core's 8-column register block.
 */
export const DEFAULT_PROBES = 15;

/** The log-density of `y` under N(mean, covariance), and optionally its gradient. */
export interface LogProbResult {
  /** log p(y). */
  value: number;
  /** d log p / d(constrained values) for every parameter involved, or null. */
  gradient: GradientMap | null;
  /**
   * With the stochastic gradient: the variance of each gradient entry's estimate
   * (the sample variance over probes divided by their number); null otherwise.
   */
  gradientVariance: GradientMap | null;
  /** Jitter that had to be added to factor the covariance (0 when none). */
  jitter: number;
}

/**
 * Factor a kernel covariance built directly in WASM memory (no copy through JS),
 * with the jitter policy of {@link choleskyFactor}.
 */
export function choleskyFactorOfKernel(covariance: KernelCovariance, what: string): CholeskyFactor {
  const n = covariance.size;
  const added = covariance.addedDiagonal();
  return factorWithJitter(n, what, (factor) => {
    core.kernelMatrixInto(covariance.plan, covariance.x, covariance.x, factor);
    const view = factor.view();
    for (let i = 0; i < n; i++) view[i * n + i] += added[i];
  });
}

/**
 * log N(y; μ, K̂) = −½ (rᵀα + log|K̂| + n log 2π), r = y − μ, α = K̂⁻¹ r, with its
 * gradient: ∂/∂K̂ = ½ (ααᵀ − K̂⁻¹) contracted with ∂K̂/∂θ for each kernel and
 * noise parameter, and ∂/∂μ = α for the mean's parameters. The trace terms (from
 * K̂⁻¹) are exact or estimated with probe vectors, see {@link GradientOptions}.
 */
export async function exactLogProb(
  mean: MeanVector,
  covariance: KernelCovariance,
  y: Float64Array,
  wantGradient: boolean,
  options: GradientOptions = {},
): Promise<LogProbResult> {
  const n = covariance.size;
  await Promise.resolve(); // the device may become asynchronous (WebGPU)
  using factor = choleskyFactorOfKernel(covariance, "the covariance K + noise");
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = y[i] - mean.values[i];
  const alpha = factor.solve(r);
  let quad = 0;
  for (let i = 0; i < n; i++) quad += r[i] * alpha[i];
  const value = -0.5 * (quad + factor.logdet() + n * Math.log(2 * Math.PI));
  const jitter = factor.jitter;
  if (!wantGradient) return { value, gradient: null, gradientVariance: null, jitter };
  if ((options.gradient ?? "exact") === "stochastic") {
    return { value, jitter, ...stochasticGradient(factor, mean, covariance, alpha, options) };
  }

  // W = K̂⁻¹ − ααᵀ, so that ∂ log p / ∂K̂ = −½ W (lower triangle: all the
  // contraction reads).
  using w = factor.inverse(true);
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
  return { value, gradient, gradientVariance: null, jitter };
}

/**
 * The gradient with Hutchinson estimates of the trace terms: for Rademacher z_k,
 * u_k = L⁻ᵀ z_k, each probe gives an unbiased gradient
 * g_k = ½ (αᵀ ∂K̂ α − u_kᵀ ∂K̂ u_k); the result is their mean and the variance of
 * that mean (sample variance / m).
 */
function stochasticGradient(
  factor: CholeskyFactor,
  mean: MeanVector,
  covariance: KernelCovariance,
  alpha: Float64Array,
  options: GradientOptions,
): { gradient: GradientMap; gradientVariance: GradientMap } {
  const n = factor.n;
  const m = options.probes ?? DEFAULT_PROBES;
  if (!Number.isSafeInteger(m) || m < 2) {
    throw new RangeError(
      `stochastic gradient: probes = ${m} must be an integer ≥ 2 (the variance needs two)`,
    );
  }
  const gen = options.generator;
  if (gen === undefined) {
    throw new TypeError("stochastic gradient: pass a random generator (options.generator)");
  }
  // Columns 0..m−1: the probes, solved through Lᵀ; column m: α (for αᵀ ∂K̂ α).
  const w = m + 1;
  using u = core.F64Buffer.alloc(n * w);
  const uv = u.view();
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < m; k++) uv[i * w + k] = gen.uniform() < 0.5 ? -1 : 1;
    uv[i * w + m] = 0;
  }
  core.trsmLower(factor.factor, n, u, w, true);
  const solved = u.view();
  for (let i = 0; i < n; i++) solved[i * w + m] = alpha[i];
  const contract = core.kernelProbeContract(covariance.plan, covariance.x, u, w);
  const nTheta = covariance.plan.theta.length;
  const perProbe: GradientMap[] = [];
  const gradTheta = new Float64Array(nTheta);
  const dDiagonal = new Float64Array(n);
  const uu = u.view();
  for (let k = 0; k < m; k++) {
    const g: GradientMap = new Map();
    for (let p = 0; p < nTheta; p++) {
      gradTheta[p] = 0.5 * (contract[p * w + m] - contract[p * w + k]);
    }
    covariance.plan.scatterGradient(gradTheta, g);
    for (let i = 0; i < n; i++) {
      const ui = uu[i * w + k];
      dDiagonal[i] = 0.5 * (alpha[i] * alpha[i] - ui * ui);
    }
    for (const term of covariance.diagonalTerms) term.scatterGradient(dDiagonal, g);
    mean.scatterGradient(alpha, g);
    perProbe.push(g);
  }
  const gradient: GradientMap = new Map();
  const gradientVariance: GradientMap = new Map();
  for (const [parameter, first] of perProbe[0]) {
    const mu = new Float64Array(first.length);
    const v = new Float64Array(first.length);
    for (const g of perProbe) {
      const gk = g.get(parameter)!;
      for (let e = 0; e < mu.length; e++) mu[e] += gk[e] / m;
    }
    for (const g of perProbe) {
      const gk = g.get(parameter)!;
      for (let e = 0; e < mu.length; e++) v[e] += (gk[e] - mu[e]) ** 2 / ((m - 1) * m);
    }
    gradient.set(parameter, mu);
    gradientVariance.set(parameter, v);
  }
  return { gradient, gradientVariance };
}
