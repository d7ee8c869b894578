/**
 * SGPR's collapsed bound (Titsias 2009) as GPyTorch 1.12 computes it for an
 * `InducingPointKernel` inside an `ExactGP`, in O(N·M²) time and O(N·M) memory.
 *
 * @module
 */

import { Tensor } from "../autograd/tensor.ts";
import { log, square } from "../autograd/elementwise.ts";
import { matmul } from "../autograd/matrix.ts";
import { cholesky, choleskyLogdet, triangularSolve } from "../autograd/linalg.ts";
import { eye } from "../autograd/variational_primitives.ts";
import type { InducingPointCovariance } from "../kernels/inducing_point_covariance.ts";

/** The two recorded parts of SGPR's objective (both sums over the N points, not / N). */
export interface SgprTerms {
  /** log N(y | μ, Q + σ²I). */
  logProb: Tensor;
  /** −½ Σᵢ (k(xᵢ, xᵢ) − Qᵢᵢ)/σ² (GPyTorch's `InducingPointKernelAddedLossTerm`). */
  traceTerm: Tensor;
  /** The jitter K_ZZ needed (0, or GPyTorch's 1e-8, 1e-7, 1e-6). */
  jitter: number;
}

/**
 * log N(y | μ, Q + σ²I) and the trace term, recorded. With R = L⁻¹ K_Zx (M × N),
 * A = I + R Rᵀ/σ² = L_A L_Aᵀ and r = y − μ:
 * log det(Q + σ²I) = N log σ² + log det A (matrix-determinant lemma) and
 * rᵀ(Q + σ²I)⁻¹r = (‖r‖² − ‖L_A⁻¹ R r‖²/σ²)/σ² (Woodbury).
 *
 * @param mean μ at the inputs, recorded [N]
 * @param covariance Q at the inputs ({@link InducingPointCovariance})
 * @param targets y
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import { sgprTerms } from "./sgpr_inference.ts";
 * import { Tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * const likelihood = new gp.likelihoods.GaussianLikelihood();
 * likelihood.noise = 0.1;
 * const k = new gp.kernels.InducingPointKernel(new gp.kernels.RBFKernel(), [0, 1], likelihood);
 * // At the inducing points themselves Q = K: the exact GP's log-density, no trace term.
 * const t = sgprTerms(new Tensor(new Float64Array(2), [2]), k.call([0, 1]), Float64Array.of(1, -1));
 * const c = Math.exp(-0.5 / 0.6931471805599453 ** 2), a = 1.1, det = a * a - c * c;
 * const quad = (a * 1 - c * -1 + (-c * 1 + a * -1) * -1) / det;
 * const exact = -0.5 * (quad + Math.log(det) + 2 * Math.log(2 * Math.PI));
 * assert.ok(Math.abs(t.logProb.item() - exact) < 1e-9);
 * assert.ok(Math.abs(t.traceTerm.item()) < 1e-9);
 * ```
 */
export function sgprTerms(
  mean: Tensor,
  covariance: InducingPointCovariance,
  targets: Float64Array,
): SgprTerms {
  const n = covariance.size, m = covariance.numInducingPoints;
  const { r, kxxDiagonal, jitter } = covariance.factors();
  const noise = covariance.rawNoise.valueTensor(); // [1]
  const res = new Tensor(targets, [n]).sub(mean);
  const rr = matmul(r, r, { transposeB: true }); // M × M
  const a = eye(m).add(rr.div(noise));
  const la = cholesky(a);
  const rRes = matmul(r, res.reshape([n, 1])); // M × 1
  const w = triangularSolve(la, rRes);
  const quad = square(res).sum().sub(square(w).sum().div(noise)).div(noise);
  const logdet = log(noise).mul(n).add(choleskyLogdet(la));
  const logProb = quad.add(logdet).add(n * Math.log(2 * Math.PI)).mul(-0.5);
  const qDiag = square(r).sum(0);
  const traceTerm = kxxDiagonal.sub(qDiag).div(noise).sum().mul(-0.5);
  return { logProb: logProb.reshape([]), traceTerm: traceTerm.reshape([]), jitter };
}
