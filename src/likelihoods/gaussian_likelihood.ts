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
import { Tensor } from "../autograd/tensor.ts";
import { log } from "../autograd/elementwise.ts";
import { clampMin } from "../autograd/variational_primitives.ts";

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

  /**
   * E_{N(μᵢ, σᵢ²)}[log N(yᵢ | fᵢ, s)] = −½ (((yᵢ − μᵢ)² + σᵢ²)/s + log s + log 2π) for the
   * noise s, per point, recorded (GPyTorch's `expected_log_prob`, in its order of
   * operations): what {@link VariationalELBO} sums.
   *
   * @example
   * ```ts
   * import { GaussianLikelihood } from "./gaussian_likelihood.ts";
   * import { tensor } from "../autograd/tensor.ts";
   * import assert from "node:assert";
   * const likelihood = new GaussianLikelihood();
   * likelihood.noise = 0.5;
   * const e = likelihood.expectedLogProb(new Float64Array([1]), tensor([0]), tensor([0.5]));
   * const want = -0.5 * ((1 + 0.5) / 0.5 + Math.log(0.5) + Math.log(2 * Math.PI));
   * assert.ok(Math.abs(e.item() - want) < 1e-12);
   * ```
   */
  expectedLogProb(target: Float64Array, mean: Tensor, variance: Tensor): Tensor {
    const y = targetTensor("expectedLogProb", target, mean);
    const noise = this.noiseCovar.rawNoise.valueTensor();
    return y.sub(mean).mul(y.sub(mean)).add(variance).div(noise).add(log(noise)).add(
      Math.log(2 * Math.PI),
    ).mul(-0.5);
  }

  /**
   * log N(yᵢ | μᵢ, σᵢ² + s) per point, recorded (GPyTorch's `log_marginal`, with its
   * clamp of the marginal variance at 1e-8): what {@link PredictiveLogLikelihood} sums.
   *
   * @example
   * ```ts
   * import { GaussianLikelihood } from "./gaussian_likelihood.ts";
   * import { tensor } from "../autograd/tensor.ts";
   * import assert from "node:assert";
   * const likelihood = new GaussianLikelihood();
   * likelihood.noise = 0.5;
   * const e = likelihood.logMarginal(new Float64Array([1]), tensor([0]), tensor([0.5]));
   * assert.ok(Math.abs(e.item() - (-0.5 - 0.5 * Math.log(2 * Math.PI))) < 1e-12);
   * ```
   */
  logMarginal(target: Float64Array, mean: Tensor, variance: Tensor): Tensor {
    const y = targetTensor("logMarginal", target, mean);
    const v = clampMin(variance.add(this.noiseCovar.rawNoise.valueTensor()), 1e-8);
    const r = y.sub(mean);
    return r.mul(r).div(v).add(log(v)).add(Math.log(2 * Math.PI)).mul(-0.5);
  }
}

function targetTensor(op: string, target: Float64Array, mean: Tensor): Tensor {
  if (!(target instanceof Float64Array) || target.length !== mean.size) {
    throw new TypeError(
      `GaussianLikelihood.${op}(target, mean, variance): target must be a Float64Array of ` +
        `${mean.size} values (one per mean), got ${
          target instanceof Float64Array ? `${target.length} values` : typeof target
        }`,
    );
  }
  return new Tensor(target, [target.length]);
}
