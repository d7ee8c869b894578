/**
 * SGPR's predictive distribution, as GPyTorch 1.12's for an `InducingPointKernel` in eval
 * mode with `sgpr_diagonal_correction` on (its default).
 *
 * @module
 */

import { Tensor } from "../autograd/tensor.ts";
import { square } from "../autograd/elementwise.ts";
import { matmul } from "../autograd/matrix.ts";
import { triangularSolve } from "../autograd/linalg.ts";
import { clampMin } from "../autograd/variational_primitives.ts";
import { sgprTrainingCache } from "./sgpr_training_cache.ts";
import type { Covariance } from "../distributions/covariance.ts";
import { MultivariateNormal } from "../distributions/multivariate_normal.ts";
import { MeanVector } from "../means/mean.ts";
import { InducingPointCovariance } from "../kernels/inducing_point_covariance.ts";

/**
 * The posterior at test points given an SGPR model's training prior and targets. GPyTorch
 * predicts with the exact-GP formulas on the covariance Q + D, where D = diag(max(K − Q, 0))
 * on the training and on the test points (`sgpr_diagonal_correction`) and Q alone between
 * them; with R = L⁻¹ K_Zx, Λ = D_x + σ²I and A = I + R Λ⁻¹ Rᵀ (Woodbury, O(N·M²)):
 * mean μ_* + R_*ᵀ A⁻¹ R Λ⁻¹ (y − μ) and covariance D_* + R_*ᵀ A⁻¹ R_*. The training side
 * is streamed over the inputs ({@link sgprTrainingCache}: O(M·chunk + M²) memory); the
 * test covariance is kept as its M × N_* root (the dense matrix only when asked for).
 *
 * @param train the prior at the training inputs (`model.prior(trainX)`)
 * @param targets y
 * @param test the prior at the test inputs
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import { sgprPosterior } from "./sgpr_prediction.ts";
 * import assert from "node:assert";
 * const likelihood = new gp.likelihoods.GaussianLikelihood();
 * likelihood.noise = 1e-3;
 * const k = new gp.kernels.InducingPointKernel(new gp.kernels.RBFKernel(), [0, 1], likelihood);
 * const mean = new gp.means.ZeroMean();
 * const prior = (x: number[]) => new gp.distributions.MultivariateNormal(mean.call(x), k.call(x));
 * const post = sgprPosterior(prior([0, 1]), Float64Array.of(1, -1), prior([0]));
 * assert.ok(Math.abs((await post.mean())[0] - 1) < 1e-2); // near the datum
 * ```
 */
export function sgprPosterior(
  train: MultivariateNormal,
  targets: Float64Array,
  test: MultivariateNormal,
): MultivariateNormal {
  const trainCov = train.lazyCovarianceMatrix, testCov = test.lazyCovarianceMatrix;
  const trainLoc = train.loc, testLoc = test.loc;
  if (
    !(trainCov instanceof InducingPointCovariance) ||
    !(testCov instanceof InducingPointCovariance) ||
    !(trainLoc instanceof MeanVector) || !(testLoc instanceof MeanVector)
  ) {
    throw new TypeError(
      `sgprPosterior(train, targets, test): both must be an SGPR model's prior, ` +
        `new MultivariateNormal(meanModule.call(x), covarModule.call(x))`,
    );
  }
  const n = trainCov.size, m = trainCov.numInducingPoints;
  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) residuals[i] = targets[i] - trainLoc.values[i];
  const cache = sgprTrainingCache(trainCov, residuals);
  const la = new Tensor(cache.la, [m, m]);
  const c = new Tensor(cache.c, [m, 1]); // A⁻¹ R Λ⁻¹ r
  const te = testCov.factors();
  const nt = testCov.size;
  const mean = matmul(te.r, c, { transposeA: true }).reshape([nt]).add(
    new Tensor(testLoc.values, [nt]),
  );
  const w = triangularSolve(la, te.r); // L_A⁻¹ R_*, M × N_*
  const correction = clampMin(te.kxxDiagonal.sub(square(te.r).sum(0)), 0);
  return new MultivariateNormal(
    new MeanVector(mean.data.slice()),
    new RootPlusDiagonal(w.data, m, nt, correction.data),
  );
}

/** Wᵀ W + diag(d) for W of k × n, dense only on request. */
class RootPlusDiagonal implements Covariance {
  readonly size: number;
  readonly #w: Float64Array;
  readonly #k: number;
  readonly #d: Float64Array;

  constructor(w: Float64Array, k: number, n: number, d: Float64Array) {
    this.#w = w;
    this.#k = k;
    this.size = n;
    this.#d = d;
  }

  diagonal(): Promise<Float64Array> {
    const n = this.size, out = this.#d.slice();
    for (let a = 0; a < this.#k; a++) {
      for (let i = 0; i < n; i++) out[i] += this.#w[a * n + i] ** 2;
    }
    return Promise.resolve(out);
  }

  dense(): Promise<Float64Array> {
    const n = this.size;
    const w = new Tensor(this.#w, [this.#k, n]);
    const out = matmul(w, w, { transposeA: true }).data.slice();
    for (let i = 0; i < n; i++) out[i * n + i] += this.#d[i];
    return Promise.resolve(out);
  }
}
