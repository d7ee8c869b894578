/**
 * SGPR's objective as an `ExactMarginalLogLikelihood` value: {@link sgprTerms} plus the
 * priors, / N, with the gradient of every raw parameter from the autograd record.
 *
 * @module
 */

import { Tensor } from "../autograd/tensor.ts";
import type { Module } from "../module.ts";
import type { Parameter } from "../parameter.ts";
import { Scalar } from "../scalar.ts";
import type { MultivariateNormal } from "../distributions/multivariate_normal.ts";
import { DiagonalAddedCovariance } from "../distributions/covariance.ts";
import { MeanVector } from "../means/mean.ts";
import { InducingPointCovariance } from "../kernels/inducing_point_covariance.ts";
import { sgprTerms } from "./sgpr_inference.ts";

/** An SGPR objective's value with its parts. */
export interface SgprObjective {
  /** (log N(y | μ, Q + σ²I) + trace term + Σ log priors) / N, with its gradient. */
  scalar: Scalar;
  /** The trace term / N. */
  traceTermOverN: number;
}

/**
 * The SGPR objective for `output` = model.call(trainX) (in training mode, its covariance an
 * {@link InducingPointCovariance}) and targets `y`; `modules` (the model and the
 * likelihood) give the priors and the parameters whose gradients the result carries. No
 * parameter's `grad` is changed.
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import { sgprObjective } from "./sgpr_objective.ts";
 * import assert from "node:assert";
 * const likelihood = new gp.likelihoods.GaussianLikelihood();
 * const k = new gp.kernels.InducingPointKernel(new gp.kernels.RBFKernel(), [0, 1], likelihood);
 * const mean = new gp.means.ZeroMean();
 * const x = [0, 0.5, 1];
 * const out = new gp.distributions.MultivariateNormal(mean.call(x), k.call(x));
 * const { scalar } = sgprObjective(out, Float64Array.of(0, 1, 0), [k, likelihood]);
 * assert.strictEqual(scalar.gradient.get(k.inducingPoints)!.length, 2);
 * assert.strictEqual(k.inducingPoints.grad, null);
 * ```
 */
export function sgprObjective(
  output: MultivariateNormal,
  y: Float64Array,
  modules: readonly Module[],
): SgprObjective {
  let cov = output.lazyCovarianceMatrix;
  // The MLL passes model.call(x); a likelihood's noise on top is the same noise SGPR reads.
  while (cov instanceof DiagonalAddedCovariance) cov = cov.base;
  const loc = output.loc;
  if (!(cov instanceof InducingPointCovariance) || !(loc instanceof MeanVector)) {
    throw new TypeError(
      `mll.call(output, target): an SGPR model's forward(x) must return new ` +
        `MultivariateNormal(meanModule.call(x), covarModule.call(x)), got ${output}`,
    );
  }
  const n = y.length;
  const x = cov.x;
  const mean = loc.mean !== null
    ? loc.mean.forward(new Tensor(x.data, [x.n, x.d]))
    : new Tensor(loc.values.slice(), [n]);
  const terms = sgprTerms(mean, cov, y);
  let total = terms.logProb.add(terms.traceTerm);
  const params: Parameter[] = [];
  const seen = new Set<Parameter>();
  const priorsSeen = new Set<Parameter>();
  for (const module of modules) {
    for (const p of module.parameters()) {
      if (!seen.has(p)) {
        seen.add(p);
        params.push(p);
      }
    }
    for (const [, prior, parameter] of module.namedPriors()) {
      if (priorsSeen.has(parameter)) continue;
      priorsSeen.add(parameter);
      total = total.add(prior.logProbTensor(parameter.valueTensor()).sum());
    }
  }
  for (const p of [cov.inducingPoints, cov.rawNoise]) {
    if (!seen.has(p)) {
      seen.add(p);
      params.push(p);
    }
  }
  total = total.div(n);
  const value = total.item();
  if (!Number.isFinite(value)) {
    throw new RangeError(
      `mll.call(output, target): the SGPR objective is ${value}; check the targets and ` +
        `the parameters' values`,
    );
  }
  // Read the gradients off the record without leaving them on the parameters.
  const saved = params.map((p) => p.grad);
  const gradient = new Map<Parameter, Float64Array>();
  try {
    for (const p of params) p.grad = null;
    total.backward();
    for (const p of params) if (p.grad !== null) gradient.set(p, p.grad);
  } finally {
    params.forEach((p, i) => (p.grad = saved[i]));
  }
  return { scalar: new Scalar(value, gradient), traceTermOverN: terms.traceTerm.item() / n };
}
