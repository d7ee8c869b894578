/**
 * Laplace (double-exponential) regression noise, as GPyTorch's `LaplaceLikelihood`.
 *
 * @module
 */

import { Parameter } from "../parameter.ts";
import { type Constraint, Positive } from "../constraints.ts";
import type { Tensor } from "../autograd/tensor.ts";
import { log, sqrt } from "../autograd/elementwise.ts";
import { abs } from "../autograd/gamma_ops.ts";
import { VariationalMultivariateNormal } from "../distributions/variational_multivariate_normal.ts";
import { OneDimensionalLikelihood, type PredictiveMoments } from "./one_dimensional_likelihood.ts";

/**
 * y = f + ε, ε ~ Laplace(0, b) with b = √s and s (`noise`) learned, as GPyTorch's:
 * log p(y | f) = −log(2b) − |y − f|/b, its expectations under q(f) by quadrature.
 *
 * @example
 * ```ts
 * import { LaplaceLikelihood } from "./laplace_likelihood.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * const likelihood = new LaplaceLikelihood({ noise: 4 }); // b = 2
 * const e = likelihood.expectedLogProb(new Float64Array([1]), tensor([0]), tensor([0]));
 * assert.ok(Math.abs(e.item() - (-Math.log(4) - 0.5)) < 1e-14);
 * ```
 */
export class LaplaceLikelihood extends OneDimensionalLikelihood {
  /** Raw s (GPyTorch's `raw_noise`). */
  readonly rawNoise: Parameter;

  /**
   * @param options `noise` (default softplus(0) = 0.693), `noiseConstraint` (Positive()),
   * `numLocs` (20)
   * @throws {RangeError} when noise is outside its constraint
   */
  constructor(options: { noise?: number; noiseConstraint?: Constraint; numLocs?: number } = {}) {
    super(options.numLocs);
    this.rawNoise = new Parameter(0, { constraint: options.noiseConstraint ?? new Positive() });
    if (options.noise !== undefined) {
      this.rawNoise.setValues([options.noise], "LaplaceLikelihood({ noise })");
    }
  }

  /** s (b²). */
  get noise(): number {
    return this.rawNoise.value;
  }

  set noise(v: number) {
    this.rawNoise.setValues([v], "noise");
  }

  logDensity(y: Tensor, f: Tensor): Tensor {
    const b = sqrt(this.rawNoise.valueTensor());
    return abs(y.sub(f)).div(b).add(log(b.mul(2))).neg();
  }

  /** The predictive moments of y under q(f): mean μ, variance σ² + 2b². */
  call(f: VariationalMultivariateNormal): PredictiveMoments {
    if (!(f instanceof VariationalMultivariateNormal)) {
      throw new TypeError(
        `LaplaceLikelihood.call(f): f must be an approximate GP's output (model.call(x)), got ${f}`,
      );
    }
    const extra = 2 * this.noise;
    return {
      mean: f.latentMean.data.slice(),
      variance: f.latentVariance.data.map((v) => v + extra),
    };
  }
}
