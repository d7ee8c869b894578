/**
 * The base of likelihoods whose expectations under q(f) are by Gauss–Hermite quadrature,
 * as GPyTorch's `_OneDimensionalLikelihood`.
 *
 * @module
 */

import { Module } from "../module.ts";
import { Tensor } from "../autograd/tensor.ts";
import { exp, log } from "../autograd/elementwise.ts";
import { GaussHermiteQuadrature1D } from "../gauss_hermite_quadrature_1d.ts";
import { gaussHermiteExpectation } from "../autograd/variational_primitives.ts";
import type { ApproximateLikelihood } from "./approximate_likelihood.ts";

/** Predictive mean and variance of y for q(f) (what `call(q(f))` gives). */
export interface PredictiveMoments {
  /** E[y] for each point. */
  mean: Float64Array;
  /** Var[y] for each point. */
  variance: Float64Array;
}

/**
 * A likelihood p(yᵢ | fᵢ) given by its log density: E_q[log p] = Σₖ wₖ/√π · log p(y | fₖ)
 * and log E_q[p] = log Σₖ wₖ/√π · p(y | fₖ) at GPyTorch's 20 Gauss–Hermite locations.
 *
 * @example
 * ```ts
 * import { LaplaceLikelihood } from "./laplace_likelihood.ts";
 * import { OneDimensionalLikelihood } from "./one_dimensional_likelihood.ts";
 * import assert from "node:assert";
 * assert.ok(new LaplaceLikelihood() instanceof OneDimensionalLikelihood);
 * ```
 */
export abstract class OneDimensionalLikelihood extends Module implements ApproximateLikelihood {
  /** The quadrature rule (20 locations by default, as GPyTorch). */
  readonly quadrature: GaussHermiteQuadrature1D;

  constructor(numLocs?: number) {
    super();
    this.quadrature = new GaussHermiteQuadrature1D(numLocs);
  }

  /** log p(y | f) for targets y ([1, n]) at locations f ([K, n]), recorded ([K, n]). */
  abstract logDensity(y: Tensor, f: Tensor): Tensor;

  #targets(op: string, target: Float64Array, n: number): Tensor {
    if (!(target instanceof Float64Array) || target.length !== n) {
      throw new TypeError(
        `${this.constructor.name}.${op}(target, mean, variance): target must be a ` +
          `Float64Array of ${n} values, got ${
            target instanceof Float64Array ? `${target.length} values` : typeof target
          }`,
      );
    }
    return new Tensor(target, [1, n]);
  }

  expectedLogProb(target: Float64Array, mean: Tensor, variance: Tensor): Tensor {
    const y = this.#targets("expectedLogProb", target, mean.size);
    const q = this.quadrature;
    return gaussHermiteExpectation(
      q.locations,
      q.weights,
      (f) => this.logDensity(y, f),
      mean,
      variance,
    );
  }

  logMarginal(target: Float64Array, mean: Tensor, variance: Tensor): Tensor {
    const y = this.#targets("logMarginal", target, mean.size);
    const q = this.quadrature;
    return log(
      gaussHermiteExpectation(
        q.locations,
        q.weights,
        (f) => exp(this.logDensity(y, f)),
        mean,
        variance,
      ),
    );
  }
}
