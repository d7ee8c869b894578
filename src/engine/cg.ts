/**
 * The BBMM solver (Gardner et al. 2018) over any {@link KernelOperator}: modified
 * batched preconditioned conjugate gradients solving K̂ [α, u₁ … u_t] = [y − μ, z₁ … z_t]
 * together, with z_k ~ N(0, P) probes from a seeded generator;
 *
 * - log |K̂| = log |P| + tr log(P⁻¹K̂), the second term by stochastic Lanczos quadrature
 *   on the tridiagonals that the CG coefficients of the probe columns define;
 * - the gradient's trace term tr(K̂⁻¹ ∂K) = tr(P⁻¹ ∂K) + E[(K̂⁻¹z − P⁻¹z)ᵀ ∂K P⁻¹z]:
 *   the first part exact (the preconditioner's low-rank inverse), the second a
 *   Hutchinson estimate whose variance is what the preconditioner leaves;
 * - every estimate with its standard error (from the spread over probes), and the
 *   relative residual ‖b − K̂x‖ / ‖b‖ reached, recomputed with one more product.
 *
 * All vector arithmetic is float64 on the host; only the products K·V and the
 * contractions run on the device. After CG, the solve for α is refined against its
 * recomputed residual (iterative refinement), so float32 devices reach the residual
 * their products allow.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bbmmLogProb } from "./cg.ts";
 * import { WasmKernelOperator } from "../wasm/wasm_kernel_operator.ts";
 * import { KernelCovariance } from "../distributions/covariance.ts";
 * import { MeanVector } from "../means/mean.ts";
 * import { PlanBuilder } from "../kernel_plan.ts";
 * import { Parameter } from "../parameter.ts";
 * import { linspace, toInputs } from "../tensor.ts";
 * const x = toInputs(linspace(0, 1, 50), "x");
 * const b = new PlanBuilder(1);
 * b.emit(1, 1, b.useDim(0), 1, b.param(new Parameter([0.2])));
 * const noise = { values: new Float64Array(50).fill(0.1), scatterGradient() {} };
 * const cov = new KernelCovariance(b.build(), x, [noise]);
 * const y = x.data.map(Math.sin);
 * const r = await bbmmLogProb(new MeanVector(new Float64Array(50)), cov, y, false,
 *   new WasmKernelOperator(cov.plan, x));
 * assert.ok(Number.isFinite(r.value));
 * assert.equal(r.diagnostics.converged, true);
 * ```
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import { warn } from "../errors.ts";
import { Generator } from "../random.ts";
import type { KernelCovariance } from "../distributions/covariance.ts";
import type { MeanVector } from "../means/mean.ts";
import type { LogProbResult } from "./cholesky.ts";
import type { KernelOperator } from "../kernel_operator.ts";
import { diagGradContract } from "../wasm/wasm_kernel_operator.ts";
import type { GradientMap } from "../gradient_map.ts";
import { CG_DEFAULTS } from "./cg_defaults.ts";
import { PivotedCholeskyPreconditioner, type PreconditionerOptions } from "./pivoted_cholesky.ts";
import { tridiagonalQuadrature } from "./lanczos_quadrature.ts";

/** Options of the BBMM solver. */
export interface BbmmOptions {
  /** Probe vectors for the stochastic estimates (default {@link CG_DEFAULTS}.probes, 16). */
  probes?: number;
  /** The generator the probes are drawn from (default: a new Generator(0)). */
  rng?: Generator;
  /** CG iterations at most (default {@link CG_DEFAULTS}.maxIterations, 1000). */
  maxIterations?: number;
  /** Relative residual at which a CG column stops (default {@link CG_DEFAULTS}.tolerance). */
  tolerance?: number;
  /** The pivoted-Cholesky preconditioner's options. */
  preconditioner?: PreconditionerOptions;
  /**
   * A preconditioner already built for this covariance (with `preconditioner`'s
   * options), used instead of building one: solver selection builds it to decide.
   */
  prebuiltPreconditioner?: PivotedCholeskyPreconditioner;
  /**
   * The operator the solve for α is refined against (default: the solving operator).
   * A float64 {@link WasmKernelOperator} here makes α exact to float64 residuals even
   * when the products come from a float32 device (one O(N²) product per round).
   */
  residualOperator?: KernelOperator;
}

/** What the solver reached, beside the numbers. */
export interface BbmmDiagnostics {
  /** The device the products ran on. */
  device: string;
  /** CG iterations (the longest column). */
  iterations: number;
  /** Whether every column reached the tolerance. */
  converged: boolean;
  /** Largest relative residual ‖b − K̂x‖/‖b‖ over all columns, recomputed after CG. */
  residual: number;
  /** The same for the solve K̂α = y − μ, after refinement (float64 with a residual operator). */
  residualY: number;
  /** Probe vectors used. */
  probes: number;
  /** Rank of the preconditioner. */
  preconditionerRank: number;
  /** Standard error of the log-density (from the log-determinant's probes). */
  standardError: number;
  /** Standard error of each gradient entry (same layout as the gradient), or null. */
  gradientStandardError: GradientMap | null;
}

/** {@link LogProbResult} with the solver's diagnostics. */
export interface BbmmResult extends LogProbResult {
  /** How far the solver got and how sure its estimates are. */
  diagnostics: BbmmDiagnostics;
  /** α = K̂⁻¹(y − μ), for prediction. */
  alpha: Float64Array;
}

interface PcgResult {
  x: Float64Array;
  alphas: number[][];
  betas: number[][];
  rz0: Float64Array;
  iterations: number;
  converged: boolean;
}

/** K̂ V = K V + D ∘ V. */
async function khat(
  op: KernelOperator,
  d: Float64Array,
  v: Float64Array,
  c: number,
): Promise<Float64Array> {
  const kv = await op.mvm(v, c);
  for (let i = 0; i < op.n; i++) {
    for (let j = 0; j < c; j++) kv[i * c + j] += d[i] * v[i * c + j];
  }
  return kv;
}

/** Batched preconditioned CG on c columns, recording each column's coefficients. */
async function pcg(
  op: KernelOperator,
  d: Float64Array,
  precond: PivotedCholeskyPreconditioner,
  b: Float64Array,
  c: number,
  maxIterations: number,
  tolerance: number,
): Promise<PcgResult> {
  const n = op.n;
  const x = new Float64Array(n * c);
  const r = b.slice();
  let z = precond.solve(r, c);
  const p = z.slice();
  const rz = colDot(r, z, n, c);
  const rz0 = rz.slice();
  const bNorm = colDot(b, b, n, c).map(Math.sqrt);
  const alphas: number[][] = Array.from({ length: c }, () => []);
  const betas: number[][] = Array.from({ length: c }, () => []);
  const active: boolean[] = Array.from({ length: c }, (_, j) => bNorm[j] > 0);
  let iterations = 0;
  while (active.some((a) => a) && iterations < maxIterations) {
    iterations++;
    const cols = active.flatMap((a, j) => (a ? [j] : []));
    const m = cols.length;
    const pa = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let q = 0; q < m; q++) pa[i * m + q] = p[i * c + cols[q]];
    }
    const ap = await khat(op, d, pa, m);
    for (let q = 0; q < m; q++) {
      const j = cols[q];
      let pAp = 0;
      for (let i = 0; i < n; i++) pAp += pa[i * m + q] * ap[i * m + q];
      if (!(pAp > 0)) {
        active[j] = false; // breakdown: the operator is not positive definite in this direction
        continue;
      }
      const a = rz[j] / pAp;
      alphas[j].push(a);
      for (let i = 0; i < n; i++) {
        x[i * c + j] += a * p[i * c + j];
        r[i * c + j] -= a * ap[i * m + q];
      }
    }
    z = precond.solve(r, c);
    const rzNew = colDot(r, z, n, c);
    const rNorm = colDot(r, r, n, c).map(Math.sqrt);
    for (const j of cols) {
      if (!active[j]) continue;
      if (rNorm[j] <= tolerance * bNorm[j]) {
        active[j] = false;
        continue;
      }
      const beta = rzNew[j] / rz[j];
      betas[j].push(beta);
      rz[j] = rzNew[j];
      for (let i = 0; i < n; i++) p[i * c + j] = z[i * c + j] + beta * p[i * c + j];
    }
  }
  return { x, alphas, betas, rz0, iterations, converged: !active.some((a) => a) };
}

function colDot(a: Float64Array, b: Float64Array, n: number, c: number): Float64Array {
  const out = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) out[j] += a[i * c + j] * b[i * c + j];
  }
  return out;
}

function meanAndSe(values: number[]): { mean: number; se: number } {
  const t = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / t;
  if (t < 2) return { mean, se: Infinity };
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (t - 1);
  return { mean, se: Math.sqrt(variance / t) };
}

/** The pivoted-Cholesky preconditioner P = L Lᵀ + D of K̂ (float64 kernel rows from WASM). */
export function buildPreconditioner(
  covariance: KernelCovariance,
  options?: PreconditionerOptions,
): PivotedCholeskyPreconditioner {
  const plan = covariance.plan, x = covariance.x;
  return PivotedCholeskyPreconditioner.build(
    covariance.size,
    core.kernelDiag(plan, x),
    (i) =>
      core.kernelMatrix(plan, { data: x.data.subarray(i * x.d, (i + 1) * x.d), n: 1, d: x.d }, x),
    covariance.addedDiagonal(),
    options,
  );
}

/** What {@link bbmmSolve} reached. */
export interface SolveResult {
  /** K̂⁻¹ B (n × c, row-major). */
  x: Float64Array;
  /** CG iterations, the refinement rounds' included. */
  iterations: number;
  /** Whether CG reached the tolerance on every column. */
  converged: boolean;
  /** Largest relative residual ‖b − K̂x‖/‖b‖ over the columns, against the residual operator. */
  residual: number;
}

/**
 * K̂⁻¹ B for c right-hand sides at once: batched PCG on `operator`'s device, then
 * iterative refinement of every column against residuals recomputed with
 * `residualOperator` (a float64 {@link WasmKernelOperator} makes the solves exact to
 * float64 residuals when the products come from a float32 device).
 */
export async function bbmmSolve(
  operator: KernelOperator,
  added: Float64Array,
  precond: PivotedCholeskyPreconditioner,
  b: Float64Array,
  c: number,
  options: { maxIterations?: number; tolerance?: number; residualOperator?: KernelOperator } = {},
): Promise<SolveResult> {
  const n = operator.n;
  const tol = options.tolerance ?? CG_DEFAULTS.tolerance;
  const maxIt = options.maxIterations ?? CG_DEFAULTS.maxIterations;
  const refOp = options.residualOperator ?? operator;
  // Columns scaled to unit norm: a float32 device would underflow on tiny columns (a
  // test point far from the data has K(X, x*) ≈ 1e-100), and K̂⁻¹ is linear.
  const scale = colDot(b, b, n, c).map((v) => (v > 0 ? 1 / Math.sqrt(v) : 0));
  b = b.slice();
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) b[i * c + j] *= scale[j];
  const solved = await pcg(operator, added, precond, b, c, maxIt, tol);
  const x = solved.x;
  let iterations = solved.iterations;
  const bNorm = colDot(b, b, n, c).map(Math.sqrt);
  const residualOf = async (sol: Float64Array) => {
    const kx = await khat(refOp, added, sol, c);
    for (let i = 0; i < n * c; i++) kx[i] = b[i] - kx[i];
    const rn = colDot(kx, kx, n, c).map(Math.sqrt);
    return { r: kx, rel: rn.map((v, j) => (bNorm[j] > 0 ? v / bNorm[j] : 0)) };
  };
  const { r, rel } = await residualOf(x);
  for (let round = 0; round < 4 && Math.max(...rel) > tol; round++) {
    const fix = await pcg(operator, added, precond, r, c, maxIt, tol);
    iterations += fix.iterations;
    const next = x.slice();
    for (let i = 0; i < n * c; i++) next[i] += fix.x[i];
    const after = await residualOf(next);
    // Keep the columns that improved.
    let improved = false;
    for (let j = 0; j < c; j++) {
      if (!(after.rel[j] < rel[j])) continue;
      improved = true;
      for (let i = 0; i < n; i++) {
        x[i * c + j] = next[i * c + j];
        r[i * c + j] = after.r[i * c + j];
      }
      rel[j] = after.rel[j];
    }
    if (!improved) break;
  }
  const residual = c === 0 ? 0 : Math.max(...rel);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) x[i * c + j] = scale[j] > 0 ? x[i * c + j] / scale[j] : 0;
  }
  return { x, iterations, converged: solved.converged, residual };
}

/** The Lanczos tridiagonal from one column's CG coefficients. */
export function lanczosFromCg(
  alphas: readonly number[],
  betas: readonly number[],
): { diag: Float64Array; off: Float64Array } {
  const m = alphas.length;
  const diag = new Float64Array(m), off = new Float64Array(Math.max(0, m - 1));
  for (let j = 0; j < m; j++) {
    diag[j] = 1 / alphas[j] + (j > 0 ? betas[j - 1] / alphas[j - 1] : 0);
    if (j < m - 1) off[j] = Math.sqrt(betas[j]) / alphas[j];
  }
  return { diag, off };
}

/**
 * log N(y; μ, K̂) and (optionally) its gradient by BBMM on `operator`'s device.
 * Not converging is reported in `diagnostics.converged` and by a warning with the
 * residual reached; the caller decides the fallback (select.ts).
 */
export async function bbmmLogProb(
  mean: MeanVector,
  covariance: KernelCovariance,
  y: Float64Array,
  wantGradient: boolean,
  operator: KernelOperator,
  options: BbmmOptions = {},
): Promise<BbmmResult> {
  const n = covariance.size;
  const t = options.probes ?? CG_DEFAULTS.probes;
  if (!Number.isInteger(t) || t < 2) {
    throw new RangeError(`bbmm: probes = ${t} must be an integer ≥ 2 (standard errors need two)`);
  }
  const tol = options.tolerance ?? CG_DEFAULTS.tolerance;
  const maxIt = options.maxIterations ?? CG_DEFAULTS.maxIterations;
  const rng = options.rng ?? new Generator(0);
  const plan = covariance.plan, x = covariance.x;
  const dAdded = covariance.addedDiagonal();
  const precond = options.prebuiltPreconditioner ??
    buildPreconditioner(covariance, options.preconditioner);
  const c = t + 1;
  const probes = precond.sample(rng, t);
  const b = new Float64Array(n * c);
  const res = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    res[i] = y[i] - mean.values[i];
    b[i * c] = res[i];
    for (let k = 0; k < t; k++) b[i * c + 1 + k] = probes[i * t + k];
  }
  const solved = await pcg(operator, dAdded, precond, b, c, maxIt, tol);
  const sol = solved.x;

  // Recomputed residuals, then refinement of α against its own residual.
  const kx = await khat(operator, dAdded, sol, c);
  const bNorm = colDot(b, b, n, c).map(Math.sqrt);
  const diff = new Float64Array(n * c);
  for (let i = 0; i < n * c; i++) diff[i] = b[i] - kx[i];
  const rNorm = colDot(diff, diff, n, c).map(Math.sqrt);
  let residual = 0;
  for (let j = 0; j < c; j++) residual = Math.max(residual, rNorm[j] / bNorm[j]);
  const alpha = new Float64Array(n);
  for (let i = 0; i < n; i++) alpha[i] = sol[i * c];
  let residualY = rNorm[0] / bNorm[0];
  let iterations = solved.iterations;
  const refOp = options.residualOperator ?? operator;
  if (refOp !== operator) {
    const k0 = await khat(refOp, dAdded, alpha, 1);
    let s = 0;
    for (let i = 0; i < n; i++) s += (res[i] - k0[i]) ** 2;
    residualY = Math.sqrt(s) / bNorm[0];
  }
  for (let round = 0; round < 4 && residualY > tol; round++) {
    const rY = new Float64Array(n);
    const kAlpha = round === 0 && refOp === operator ? null : await khat(refOp, dAdded, alpha, 1);
    for (let i = 0; i < n; i++) rY[i] = kAlpha === null ? diff[i * c] : res[i] - kAlpha[i];
    const fix = await pcg(operator, dAdded, precond, rY, 1, maxIt, tol);
    iterations += fix.iterations;
    const next = alpha.map((v, i) => v + fix.x[i]);
    const kn = await khat(refOp, dAdded, next, 1);
    let s = 0;
    for (let i = 0; i < n; i++) s += (res[i] - kn[i]) ** 2;
    const r2 = Math.sqrt(s) / bNorm[0];
    if (!(r2 < residualY)) break;
    alpha.set(next);
    residualY = r2;
  }
  const converged = solved.converged;
  if (!converged) {
    warn(
      `CG (${operator.device}) did not converge in ${solved.iterations} iterations: ` +
        `relative residual ${residual.toExponential(2)} (tolerance ${tol.toExponential(0)}) ` +
        `with a rank-${precond.rank} preconditioner`,
    );
  }

  // log |K̂| by stochastic Lanczos quadrature.
  const slq: number[] = [];
  for (let k = 0; k < t; k++) {
    const { diag, off } = lanczosFromCg(solved.alphas[1 + k], solved.betas[1 + k]);
    slq.push(
      diag.length === 0 ? 0 : solved.rz0[1 + k] * tridiagonalQuadrature(diag, off, Math.log),
    );
  }
  const ld = meanAndSe(slq);
  const logdet = precond.logdet() + ld.mean;
  let quad = 0;
  for (let i = 0; i < n; i++) quad += res[i] * alpha[i];
  const value = -0.5 * (quad + logdet + n * Math.log(2 * Math.PI));
  const diagnostics: BbmmDiagnostics = {
    device: operator.device,
    iterations,
    converged,
    residual,
    residualY,
    probes: t,
    preconditionerRank: precond.rank,
    standardError: 0.5 * ld.se,
    gradientStandardError: null,
  };
  if (!wantGradient) {
    return { value, gradient: null, gradientVariance: null, jitter: 0, diagnostics, alpha };
  }

  // Gradient: ½ αᵀ∂Kα − ½ [tr(P⁻¹∂K) + mean_k (u_k − p_k)ᵀ ∂K p_k].
  const pz = precond.solve(probes, t);
  const uMinusP = new Float64Array(n * t);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < t; k++) uMinusP[i * t + k] = sol[i * c + 1 + k] - pz[i * t + k];
  }
  const nTheta = plan.theta.length;
  const quadPart = await operator.gradContract(alpha, alpha, 1, false);
  const dInv = dAdded.map((v) => 1 / v);
  const exactDiag = diagGradContract(plan, x, dInv);
  const root = precond.lowRankInverseRoot();
  const exactLow = await operator.gradContract(root, root, precond.rank, false);
  const perProbe = await operator.gradContract(uMinusP, pz, t, true);
  const gradTheta = new Float64Array(nTheta);
  const probeTheta: Float64Array[] = [];
  for (let k = 0; k < t; k++) probeTheta.push(new Float64Array(nTheta));
  for (let p = 0; p < nTheta; p++) {
    let s = 0;
    for (let k = 0; k < t; k++) {
      s += perProbe[k * nTheta + p];
      probeTheta[k][p] = -0.5 * perProbe[k * nTheta + p];
    }
    gradTheta[p] = 0.5 * quadPart[p] - 0.5 * (exactDiag[p] - exactLow[p] + s / t);
  }
  const gradient: GradientMap = new Map();
  plan.scatterGradient(gradTheta, gradient);
  // Diagonal terms: ∂/∂D_i = ½ α_i² − ½ (K̂⁻¹)_ii, (K̂⁻¹)_ii = (P⁻¹)_ii + mean_k (u_k − p_k)_i (p_k)_i.
  const k = precond.rank;
  const dDiag = new Float64Array(n);
  const probeDiag: Float64Array[] = [];
  for (let q = 0; q < t; q++) probeDiag.push(new Float64Array(n));
  for (let i = 0; i < n; i++) {
    let pinv = dInv[i];
    for (let a = 0; a < k; a++) pinv -= root[i * k + a] ** 2;
    let s = 0;
    for (let q = 0; q < t; q++) {
      const v = uMinusP[i * t + q] * pz[i * t + q];
      s += v;
      probeDiag[q][i] = -0.5 * v;
    }
    dDiag[i] = 0.5 * alpha[i] * alpha[i] - 0.5 * (pinv + s / t);
  }
  for (const term of covariance.diagonalTerms) term.scatterGradient(dDiag, gradient);
  mean.scatterGradient(alpha, gradient);

  // Standard errors: the spread over probes of each probe's contribution.
  const perProbeMaps: GradientMap[] = [];
  for (let q = 0; q < t; q++) {
    const m: GradientMap = new Map();
    plan.scatterGradient(probeTheta[q], m);
    for (const term of covariance.diagonalTerms) term.scatterGradient(probeDiag[q], m);
    perProbeMaps.push(m);
  }
  const se: GradientMap = new Map();
  for (const [param, g] of gradient) {
    const arr = new Float64Array(g.length);
    for (let e = 0; e < g.length; e++) {
      arr[e] = meanAndSe(perProbeMaps.map((m) => m.get(param)?.[e] ?? 0)).se;
    }
    se.set(param, arr);
  }
  diagnostics.gradientStandardError = se;
  // The same uncertainty as the Cholesky solver's stochastic gradient reports it.
  const gradientVariance: GradientMap = new Map();
  for (const [param, e] of se) gradientVariance.set(param, e.map((v) => v * v));
  return { value, gradient, gradientVariance, jitter: 0, diagnostics, alpha };
}
