/**
 * The exact solver: float64 Cholesky factorizations on the WASM device, the exact
 * log-likelihood and its gradient (DESIGN.md §3).
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import type { GradientMap } from "../gradient_map.ts";
import { type CholeskyFactor, factorWithJitter } from "../wasm/cholesky_factor.ts";
import type { KernelCovariance } from "../distributions/covariance.ts";
import type { MeanVector } from "../means/mean.ts";
import type { Generator } from "../random.ts";

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
 * with the jitter policy of `choleskyFactor` (src/wasm/cholesky_factor.ts).
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
