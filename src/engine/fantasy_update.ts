/**
 * Conditioning an exact GP on new observations without refactorising (GPyTorch's
 * `get_fantasy_model`): the Cholesky factor of the training covariance grows by a block.
 *
 * With K̂ = L Lᵀ for the N old points and k new ones,
 *
 *     [ K̂    K₁₂ ]   [ L    0  ] [ Lᵀ  L₂₁ᵀ ]
 *     [ K₂₁  K₂₂ ] = [ L₂₁  L₂₂] [ 0   L₂₂ᵀ ],   L₂₁ᵀ = L⁻¹ K₁₂,  L₂₂ L₂₂ᵀ = K₂₂ − L₂₁ L₂₁ᵀ,
 *
 * one triangular solve with k right-hand sides (N² k), the Schur complement (N k²) and
 * its k × k factor, then α by two triangular solves against the grown factor ((N+k)²):
 * O(N² k) in all, where refactorising costs (N+k)³ / 3.
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import { Inputs } from "../tensor.ts";
import { choleskyFactor } from "../wasm/cholesky_factor.ts";
import { TrainingSolve } from "./exact_posterior.ts";
import type { KernelCovariance } from "../distributions/covariance.ts";
import type { MeanVector } from "../means/mean.ts";

/**
 * The Cholesky training solve for the old points followed by new ones, from the old
 * points' solve updated by one block (see the module's notes). `covariance` and `mean`
 * are the new training prior with noise (K(X, X) + noise and μ at the N + k points, the
 * old points first, in the old order); `y` holds the N + k targets. The jitter the old
 * factor carries is added to the new block's diagonal too, so the result is the factor
 * of the same matrix a from-scratch factorisation with that jitter would see.
 *
 * @throws {TypeError} when the covariance does not start with the solve's points
 * @throws {NotPositiveDefiniteError} when the Schur complement is not positive definite
 *   even with the engine's jitter
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import { conditionTrainingSolve } from "./fantasy_update.ts";
 * import { TrainingSolve } from "./exact_posterior.ts";
 * import type { KernelCovariance } from "../distributions/covariance.ts";
 * import type { MeanVector } from "../means/mean.ts";
 * import assert from "node:assert";
 * const kernel = new gp.kernels.RBFKernel();
 * const likelihood = new gp.likelihoods.GaussianLikelihood();
 * const mean = new gp.means.ZeroMean();
 * const prior = (x: number[]) => {
 *   const inputs = new gp.Inputs(new Float64Array(x), x.length, 1);
 *   const noisy = likelihood.call(new gp.distributions.MultivariateNormal(mean.call(inputs), kernel.call(inputs)));
 *   return { mean: noisy.loc as MeanVector, cov: noisy.lazyCovarianceMatrix as KernelCovariance };
 * };
 * const small = prior([0, 0.5]), big = prior([0, 0.5, 1]);
 * const old = await TrainingSolve.compute(small.mean, small.cov, new Float64Array([1, 2]));
 * const y = new Float64Array([1, 2, 0]);
 * const updated = conditionTrainingSolve(old, big.mean, big.cov, y);
 * const fresh = await TrainingSolve.compute(big.mean, big.cov, y);
 * for (let i = 0; i < 3; i++) assert.ok(Math.abs(updated.alpha[i] - fresh.alpha[i]) < 1e-12);
 * ```
 */
export function conditionTrainingSolve(
  solve: TrainingSolve,
  mean: MeanVector,
  covariance: KernelCovariance,
  y: Float64Array,
): TrainingSolve {
  const n = solve.n, total = covariance.size, k = total - n, d = solve.x.d;
  const all = covariance.x;
  if (k < 1 || all.d !== d || y.length !== total || mean.size !== total) {
    throw new TypeError(
      `conditionTrainingSolve: the solve has ${n} point(s) of ${d} dimension(s); the new ` +
        `prior has ${total} of ${all.d}, ${mean.size} mean value(s) and ${y.length} target(s); ` +
        `pass the old points followed by at least one new one, one target each`,
    );
  }
  for (let i = 0; i < n * d; i++) {
    if (all.data[i] !== solve.x.data[i]) {
      throw new TypeError(
        `conditionTrainingSolve: the new prior's first ${n} points are not the solve's ` +
          `(coordinate ${i} is ${all.data[i]}, not ${solve.x.data[i]}); keep the old points first`,
      );
    }
  }
  const fresh = new Inputs(all.data.slice(n * d), k, d);
  // L₂₁ᵀ = L⁻¹ K(X, X₂) (n × k).
  const b = solve.whiten(core.kernelMatrix(covariance.plan, solve.x, fresh), k);
  // S = K₂₂ + noise + jitter − L₂₁ L₂₁ᵀ (k × k).
  const s = core.kernelMatrix(covariance.plan, fresh, fresh);
  const added = covariance.addedDiagonal();
  for (let i = 0; i < k; i++) s[i * k + i] += added[n + i] + solve.jitter;
  for (let r = 0; r < n; r++) {
    const row = r * k;
    for (let i = 0; i < k; i++) {
      const bi = b[row + i];
      if (bi === 0) continue;
      for (let j = 0; j <= i; j++) s[i * k + j] -= bi * b[row + j];
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) s[j * k + i] = s[i * k + j];
  using schur = choleskyFactor(s, k, "the Schur complement of the new observations");
  const l22 = schur.factor.view();
  const factor = new Float64Array(total * total);
  for (let i = 0; i < n; i++) {
    factor.set(solve.factor.subarray(i * n, i * n + i + 1), i * total);
  }
  for (let i = 0; i < k; i++) {
    const row = (n + i) * total;
    for (let c = 0; c < n; c++) factor[row + c] = b[c * k + i];
    for (let j = 0; j <= i; j++) factor[row + n + j] = l22[i * k + j];
  }
  using lBuf = core.F64Buffer.from(factor);
  using rBuf = core.F64Buffer.from(y.map((v, i) => v - mean.values[i]));
  core.trsmLower(lBuf, total, rBuf, 1, false);
  core.trsmLower(lBuf, total, rBuf, 1, true);
  return TrainingSolve.fromFactor(all, factor, rBuf.toArray(), solve.jitter);
}
