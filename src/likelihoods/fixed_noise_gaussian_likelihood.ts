/**
 * Gaussian observation noise with known per-point variances.
 *
 * @module
 */

import { Likelihood } from "./likelihood.ts";
import { HomoskedasticNoise } from "./homoskedastic_noise.ts";
import type { Constraint } from "../constraints.ts";
import type { Prior } from "../priors/prior.ts";
import { MultivariateNormal } from "../distributions/multivariate_normal.ts";
import {
  DiagonalAddedCovariance,
  type DiagonalTerm,
  KernelCovariance,
} from "../distributions/covariance.ts";
import { toVector, type VectorLike } from "../tensor.ts";
import { warn } from "../errors.ts";

/** Options of {@link FixedNoiseGaussianLikelihood}. */
export interface FixedNoiseGaussianLikelihoodOptions {
  /** Also learn a homoskedastic noise σ² added to the fixed one (default false). */
  learnAdditionalNoise?: boolean;
  /** The learned noise's constraint (default GreaterThan(1e-4)). */
  noiseConstraint?: Constraint;
  /** A prior on the learned noise. */
  noisePrior?: Prior;
}

function checkNoise(values: VectorLike, name: string): Float64Array {
  const v = toVector(values, name);
  for (let i = 0; i < v.length; i++) {
    if (!(v[i] >= 0)) {
      throw new RangeError(
        `${name}[${i}] = ${v[i]}: observation noise variances must be ≥ 0 (they are ` +
          `variances, not standard deviations squared with a sign)`,
      );
    }
  }
  return v;
}

/**
 * y_i = f_i + ε_i, ε_i ~ N(0, σ_i²) with the σ_i² known (GPyTorch's
 * FixedNoiseGaussianLikelihood), optionally plus a learned σ² shared by all points.
 *
 * On inputs of the training size the fixed noise is used. For predictions at other
 * points pass their noise (`likelihood.call(f, { noise })`); without it, as in GPyTorch,
 * no fixed noise is added there (with a warning), only the learned part.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as gp from "../../mod.ts";
 * const likelihood = new gp.likelihoods.FixedNoiseGaussianLikelihood([0.01, 0.02, 0.01]);
 * const f = new gp.distributions.MultivariateNormal(
 *   new gp.means.ZeroMean().call([0, 1, 2]),
 *   new gp.kernels.RBFKernel().call([0, 1, 2]),
 * );
 * assert.ok(Math.abs((await likelihood.call(f).variance())[1] - 1.02) < 1e-12);
 * ```
 */
export class FixedNoiseGaussianLikelihood extends Likelihood {
  #noise: Float64Array;
  /** The learned noise, when `learnAdditionalNoise` (GPyTorch's `second_noise_covar`). */
  readonly secondNoiseCovar: HomoskedasticNoise | null;

  constructor(noise: VectorLike, options: FixedNoiseGaussianLikelihoodOptions = {}) {
    super();
    this.#noise = checkNoise(noise, "FixedNoiseGaussianLikelihood(noise): noise");
    if (this.#noise.length === 0) {
      throw new TypeError(
        "FixedNoiseGaussianLikelihood(noise): noise is empty; give one variance per training point",
      );
    }
    this.secondNoiseCovar = options.learnAdditionalNoise
      ? new HomoskedasticNoise({ noiseConstraint: options.noiseConstraint })
      : null;
    if (this.secondNoiseCovar !== null && options.noisePrior !== undefined) {
      this.secondNoiseCovar.rawNoise.setPrior(options.noisePrior, "noisePrior");
    }
  }

  /** The fixed per-point noise variances (a copy). */
  get noise(): Float64Array {
    return this.#noise.slice();
  }

  /** Replace the fixed noise (e.g. with new training data). */
  set noise(values: VectorLike) {
    this.#noise = checkNoise(values, "FixedNoiseGaussianLikelihood.noise");
  }

  /** The learned extra noise σ², or 0 without `learnAdditionalNoise`. */
  get secondNoise(): number {
    return this.secondNoiseCovar?.noise ?? 0;
  }

  protected override aliases(): Record<string, string> {
    return this.secondNoiseCovar === null
      ? {}
      : { secondNoise: "secondNoiseCovar.noise", rawSecondNoise: "secondNoiseCovar.rawNoise" };
  }

  /**
   * N(μ, K) ↦ N(μ, K + diag(σ_i²) [+ σ²I]).
   *
   * @param options `noise`: the fixed noise at the points of `f` when they are not the
   *   training points
   */
  call(f: MultivariateNormal, options: { noise?: VectorLike } = {}): MultivariateNormal {
    if (!(f instanceof MultivariateNormal)) {
      throw new TypeError(
        `FixedNoiseGaussianLikelihood.call(f): expected a MultivariateNormal, got ${f}`,
      );
    }
    const n = f.size;
    let fixed: Float64Array;
    if (options.noise !== undefined) {
      fixed = checkNoise(options.noise, "likelihood.call(f, { noise }): noise");
      if (fixed.length !== n) {
        throw new TypeError(
          `likelihood.call(f, { noise }): noise has ${fixed.length} values for ${n} points; ` +
            `give one variance per point of f`,
        );
      }
    } else if (this.#noise.length === n) {
      fixed = this.#noise.slice();
    } else {
      warn(
        `FixedNoiseGaussianLikelihood: f has ${n} points but the fixed noise has ` +
          `${this.#noise.length} and no noise was passed; no fixed noise is added (pass ` +
          `likelihood.call(f, { noise }) for the noise at these points)`,
      );
      fixed = new Float64Array(n);
    }
    const terms: DiagonalTerm[] = [{ values: fixed, scatterGradient: () => {} }];
    if (this.secondNoiseCovar !== null) terms.push(this.secondNoiseCovar.diagonal(n));
    let cov = f.lazyCovarianceMatrix;
    for (const term of terms) {
      cov = cov instanceof KernelCovariance
        ? cov.withDiagonal(term)
        : new DiagonalAddedCovariance(cov, term);
    }
    return new MultivariateNormal(f.loc, cov);
  }
}
