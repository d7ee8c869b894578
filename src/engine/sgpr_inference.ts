/**
 * SGPR's collapsed bound (Titsias 2009) as GPyTorch 1.12 computes it for an
 * `InducingPointKernel` inside an `ExactGP`, in O(N·M²) time and O(M² + M·chunk) memory
 * beyond the data: it reads R = L⁻¹ K_Zx only through R Rᵀ and R (y − μ)
 * ({@link inducingProducts}, streamed over the inputs).
 *
 * @module
 */

import { Tensor } from "../autograd/tensor.ts";
import { log, square } from "../autograd/elementwise.ts";
import { diagonal } from "../autograd/matrix.ts";
import { cholesky, choleskyLogdet, triangularSolve } from "../autograd/linalg.ts";
import { kernelDiagonal } from "../autograd/kernel_ops.ts";
import { inducingProducts } from "../autograd/inducing_products.ts";
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
 * log N(y | μ, Q + σ²I) and the trace term, recorded. With R = L⁻¹ K_Zx (M × N, never
 * held whole; Σᵢ Qᵢᵢ = tr(R Rᵀ)),
 * A = I + R Rᵀ/σ² = L_A L_Aᵀ and r = y − μ:
 * log det(Q + σ²I) = N log σ² + log det A (matrix-determinant lemma) and
 * rᵀ(Q + σ²I)⁻¹r = (‖r‖² − ‖L_A⁻¹ R r‖²/σ²)/σ² (Woodbury).
 *
 * @param mean μ at the inputs, recorded [N]
 * @param covariance Q at the inputs ({@link InducingPointCovariance})
 * @param targets y
 * @param chunk inputs streamed at a time (the default suits the memory; tests force small ones)
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
  chunk?: number,
): SgprTerms {
  const n = covariance.size, m = covariance.numInducingPoints;
  const { l, theta, z, jitter } = covariance.inducingFactor();
  const noise = covariance.rawNoise.valueTensor(); // [1]
  const x = new Tensor(covariance.x.data, [n, covariance.x.d]);
  const res = new Tensor(targets, [n]).sub(mean);
  const products = inducingProducts(covariance.plan, theta, z, x, res, l, { chunk });
  const rr = products.gram; // R Rᵀ
  const la = cholesky(eye(m).add(rr.div(noise)));
  const w = triangularSolve(la, products.cross.reshape([m, 1])); // L_A⁻¹ R r
  const quad = square(res).sum().sub(square(w).sum().div(noise)).div(noise);
  const logdet = log(noise).mul(n).add(choleskyLogdet(la));
  const logProb = quad.add(logdet).add(n * Math.log(2 * Math.PI)).mul(-0.5);
  const kxxSum = kernelDiagonal(covariance.plan, theta, x).sum();
  const traceTerm = kxxSum.sub(diagonal(rr).sum()).div(noise).mul(-0.5);
  return { logProb: logProb.reshape([]), traceTerm: traceTerm.reshape([]), jitter };
}
