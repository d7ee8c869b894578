/**
 * Gaussian observation noise: y = f + ε, ε ~ N(0, σ²).
 *
 * @module
 */

import { Likelihood } from "./likelihood.ts";
import { HomoskedasticNoise } from "./homoskedastic_noise.ts";
import type { Constraint } from "../constraints.ts";
import { MultivariateNormal } from "../distributions/multivariate_normal.ts";
import { DiagonalAddedCovariance, KernelCovariance } from "../distributions/covariance.ts";

/**
 * The standard GP regression likelihood, with one learned noise variance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GaussianLikelihood } from "./gaussian_likelihood.ts";
 * const likelihood = new GaussianLikelihood();
 * likelihood.initialize({ noise: 0.01 });
 * assert.ok(Math.abs(likelihood.noise - 0.01) < 1e-12);
 * ```
 */
export class GaussianLikelihood extends Likelihood {
  /** The noise model (GPyTorch's `noise_covar`). */
  readonly noiseCovar: HomoskedasticNoise;

  constructor(options: { noiseConstraint?: Constraint } = {}) {
    super();
    this.noiseCovar = new HomoskedasticNoise(options);
  }

  /** The noise variance σ². */
  get noise(): number {
    return this.noiseCovar.noise;
  }

  set noise(v: number) {
    this.noiseCovar.noise = v;
  }

  protected override aliases(): Record<string, string> {
    return { noise: "noiseCovar.noise", rawNoise: "noiseCovar.rawNoise" };
  }

  /** N(μ, K) ↦ N(μ, K + σ²I). */
  call(f: MultivariateNormal): MultivariateNormal {
    if (!(f instanceof MultivariateNormal)) {
      throw new TypeError(
        `GaussianLikelihood.call(f): expected a MultivariateNormal (a model's output), got ${f}`,
      );
    }
    const term = this.noiseCovar.diagonal(f.size);
    const cov = f.lazyCovarianceMatrix;
    return new MultivariateNormal(
      f.loc,
      cov instanceof KernelCovariance
        ? cov.withDiagonal(term)
        : new DiagonalAddedCovariance(cov, term),
    );
  }
}
