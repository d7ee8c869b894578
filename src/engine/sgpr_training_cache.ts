/**
 * The training side of SGPR's predictive distribution, streamed over the training inputs
 * in chunks (O(M·chunk + M²) memory, never the M × N R): with R = L⁻¹ K_Zx,
 * Λ = diag(max(k(xᵢ, xᵢ) − Qᵢᵢ, 0)) + σ² (GPyTorch's `sgpr_diagonal_correction`),
 * A = I + R Λ⁻¹ Rᵀ = L_A L_Aᵀ and c = A⁻¹ R Λ⁻¹ (y − μ).
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import { forEachWhitenedChunk, whitenedChunkWidth } from "../wasm/whitened_chunks.ts";
import { noGrad } from "../settings.ts";
import { NotPositiveDefiniteError } from "../errors.ts";
import type { InducingPointCovariance } from "../kernels/inducing_point_covariance.ts";

/** What the predictive needs from the training data. */
export interface SgprTrainingCache {
  /** K_ZZ's factor L, M × M row-major. */
  l: Float64Array;
  /** L_A, M × M row-major lower. */
  la: Float64Array;
  /** c = A⁻¹ R Λ⁻¹ (y − μ), M. */
  c: Float64Array;
}

/**
 * L, L_A and c for the training prior's covariance and the residuals y − μ.
 *
 * @param covariance the training prior's covariance (Q at the training inputs)
 * @param residuals y − μ at the training inputs
 * @param chunk inputs streamed at a time (default {@link whitenedChunkWidth}'s)
 * @throws {NotPositiveDefiniteError} when A cannot be factored
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import { sgprTrainingCache } from "./sgpr_training_cache.ts";
 * import assert from "node:assert";
 * const likelihood = new gp.likelihoods.GaussianLikelihood();
 * const k = new gp.kernels.InducingPointKernel(new gp.kernels.RBFKernel(), [0, 1], likelihood);
 * const whole = sgprTrainingCache(k.call([0, 0.3, 1]), Float64Array.of(1, 0, -1));
 * const chunked = sgprTrainingCache(k.call([0, 0.3, 1]), Float64Array.of(1, 0, -1), 1);
 * assert.ok(whole.c.every((v, i) => Math.abs(v - chunked.c[i]) < 1e-12));
 * ```
 */
export function sgprTrainingCache(
  covariance: InducingPointCovariance,
  residuals: Float64Array,
  chunk?: number,
): SgprTrainingCache {
  const n = covariance.size, m = covariance.numInducingPoints, d = covariance.x.d;
  using _ = noGrad();
  const factor = covariance.inducingFactor();
  const prog: core.KernelProgram = { ops: covariance.plan.ops, theta: factor.theta.data };
  const noise = covariance.rawNoise.valueTensor().data[0];
  const zs: core.PointSet = { data: factor.z.data, n: m, d };
  const width = whitenedChunkWidth(m, n, chunk);
  using l = core.F64Buffer.from(factor.l.data);
  using a = core.F64Buffer.alloc(m * m);
  using v = core.F64Buffer.alloc(m);
  a.view().fill(0);
  v.view().fill(0);
  const weights = new Float64Array(width);
  forEachWhitenedChunk(prog, zs, covariance.x, l, width, (start, xc, rc) => {
    const c = xc.n;
    const kxx = core.kernelDiag(prog, xc);
    const q = new Float64Array(c), rv = rc.view();
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < c; j++) q[j] += rv[i * c + j] ** 2;
    }
    // R_c Λ_c^{-1/2}: the SYRK gives R Λ⁻¹ Rᵀ, the weights (y − μ)/√λ give R Λ⁻¹ (y − μ).
    const scale = new Float64Array(c);
    for (let j = 0; j < c; j++) {
      const lambda = Math.max(kxx[j] - q[j], 0) + noise;
      scale[j] = 1 / Math.sqrt(lambda);
      weights[j] = residuals[start + j] * scale[j];
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < c; j++) rv[i * c + j] *= scale[j];
    }
    core.gemmEx(rc, rc, a, m, c, m, { transposeB: true, lower: true, accumulate: true });
    core.gemmEx(rc, weights.subarray(0, c), v, m, c, 1, { accumulate: true });
  });
  const av = a.view();
  for (let i = 0; i < m; i++) av[i * m + i] += 1;
  const status = core.cholesky(a, m);
  if (status !== 0) {
    throw new NotPositiveDefiniteError(`SGPR prediction: I + R Λ⁻¹ Rᵀ (${m} × ${m})`, status - 1, [
      0,
    ]);
  }
  const la = a.toArray();
  core.trsmLower(a, m, v, 1, false);
  core.trsmLower(a, m, v, 1, true);
  return { l: factor.l.data, la, c: v.toArray() };
}
