/**
 * Probit classification, as GPyTorch's `BernoulliLikelihood`, with an exact log Φ.
 *
 * @module
 */

import { Module } from "../module.ts";
import { Tensor } from "../autograd/tensor.ts";
import { logNormalCdf, sqrt } from "../autograd/elementwise.ts";
import { normalCdf } from "../special.ts";
import { Bernoulli } from "../distributions/bernoulli.ts";
import { VariationalMultivariateNormal } from "../distributions/variational_multivariate_normal.ts";
import { GaussHermiteQuadrature1D } from "../gauss_hermite_quadrature_1d.ts";
import { gaussHermiteExpectation } from "../autograd/variational_primitives.ts";
import type { ApproximateLikelihood } from "./approximate_likelihood.ts";

/** The labels as ±1 signs (2y − 1), after checking every label is 0 or 1. */
export function labelSigns(op: string, target: Float64Array, n: number): Tensor {
  if (!(target instanceof Float64Array) || target.length !== n) {
    throw new TypeError(
      `${op}(target, mean, variance): target must be a Float64Array of ${n} labels, got ${
        target instanceof Float64Array ? `${target.length} values` : typeof target
      }`,
    );
  }
  const bad = new Set<number>();
  for (const v of target) if (v !== 0 && v !== 1) bad.add(v);
  if (bad.size > 0) {
    const seen = [...bad].slice(0, 5).join(", ") + (bad.size > 5 ? ", …" : "");
    throw new RangeError(
      `${op}: labels must be 0 or 1, but the target holds ${seen}; map the classes to ` +
        `{0, 1} (for ±1 labels: (y + 1) / 2)`,
    );
  }
  return new Tensor(target.map((v) => 2 * v - 1), [1, n]);
}

/**
 * p(y = 1 | f) = Φ(f). The expected log-likelihood E_q[log Φ((2y − 1) f)] is by
 * Gauss–Hermite quadrature with GPyTorch's default 20 locations; `call(q(f))` gives the
 * predictive Bernoulli with probs Φ(μ/√(1 + σ²)).
 *
 * One deliberate difference from GPyTorch 1.12: log Φ is computed exactly (GPyTorch's
 * `log_normal_cdf` approximation is off by up to 1.9e-3 just below z = −1).
 *
 * @example
 * ```ts
 * import { BernoulliLikelihood } from "./bernoulli_likelihood.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * const likelihood = new BernoulliLikelihood();
 * // With no uncertainty in f, E[log Φ(f)] = log Φ(f): log Φ(0) = log ½.
 * const e = likelihood.expectedLogProb(new Float64Array([1]), tensor([0]), tensor([0]));
 * assert.ok(Math.abs(e.item() - Math.log(0.5)) < 1e-14);
 * assert.throws(() => likelihood.expectedLogProb(new Float64Array([2]), tensor([0]), tensor([0])), RangeError);
 * ```
 */
export class BernoulliLikelihood extends Module implements ApproximateLikelihood {
  /** The quadrature rule (GPyTorch's `quadrature`, 20 locations). */
  readonly quadrature: GaussHermiteQuadrature1D;

  /** @param options `numLocs`: the quadrature's number of locations (20) */
  constructor(options: { numLocs?: number } = {}) {
    super();
    this.quadrature = new GaussHermiteQuadrature1D(options.numLocs);
  }

  /** E_{N(μᵢ, σᵢ²)}[log Φ((2yᵢ − 1) fᵢ)] per point, by quadrature, recorded. */
  expectedLogProb(target: Float64Array, mean: Tensor, variance: Tensor): Tensor {
    const sign = labelSigns("BernoulliLikelihood.expectedLogProb", target, mean.size);
    const q = this.quadrature;
    return gaussHermiteExpectation(
      q.locations,
      q.weights,
      (f) => logNormalCdf(f.mul(sign)),
      mean,
      variance,
    );
  }

  /** log Φ((2yᵢ − 1) μᵢ/√(1 + σᵢ²)) per point (the exact log E_q[p(yᵢ | fᵢ)]), recorded. */
  logMarginal(target: Float64Array, mean: Tensor, variance: Tensor): Tensor {
    const sign = labelSigns("BernoulliLikelihood.logMarginal", target, mean.size);
    return logNormalCdf(mean.div(sqrt(variance.add(1))).mul(sign.reshape([mean.size])));
  }

  /**
   * The predictive distribution of y for q(f) = `f` (GPyTorch's `likelihood(q(f))`):
   * Bernoulli with probs Φ(μ/√(1 + σ²)).
   */
  call(f: VariationalMultivariateNormal): Bernoulli {
    if (!(f instanceof VariationalMultivariateNormal)) {
      throw new TypeError(
        `BernoulliLikelihood.call(f): f must be an approximate GP's output (model.call(x)), ` +
          `got ${f}`,
      );
    }
    const mu = f.latentMean.data, v = f.latentVariance.data;
    return new Bernoulli(mu.map((m, i) => normalCdf(m / Math.sqrt(1 + v[i]))));
  }
}
