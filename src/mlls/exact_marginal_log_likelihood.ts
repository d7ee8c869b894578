/**
 * The exact marginal log likelihood, the training objective of exact GPs.
 *
 * @module
 */

import { Module } from "../module.ts";
import { toVector, type VectorLike } from "../tensor.ts";
import { MultivariateNormal } from "../distributions/multivariate_normal.ts";
import { KernelCovariance } from "../distributions/covariance.ts";
import { MeanVector } from "../means/mean.ts";
import type { Likelihood } from "../likelihoods/likelihood.ts";
import type { ExactGP } from "../models/exact_gp.ts";
import { engineLogProb, type EngineOptions, type EngineResult } from "../engine/select.ts";
import { Generator } from "../random.ts";
import { Scalar } from "../scalar.ts";
import type { Parameter } from "../parameter.ts";

/**
 * (log p(y | X, θ) + Σ log prior(θ)) / N, as GPyTorch's `ExactMarginalLogLikelihood`, with its exact
 * gradient for every parameter (float64 Cholesky).
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * class Model extends gp.models.ExactGP {
 *   meanModule = new gp.means.ZeroMean();
 *   covarModule = new gp.kernels.RBFKernel();
 *   forward(x: gp.Inputs) {
 *     return new gp.distributions.MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x));
 *   }
 * }
 * const x = [0, 0.5, 1], y = [0, 1, 0];
 * const likelihood = new gp.likelihoods.GaussianLikelihood();
 * const model = new Model(x, y, likelihood);
 * const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
 * const loss = (await mll.call(model.call(x), y)).neg();
 * loss.backward();
 * console.log(loss.value, model.covarModule.rawLengthscale.grad);
 * ```
 */
export class ExactMarginalLogLikelihood extends Module {
  /** The likelihood applied to the model's output. */
  readonly likelihood: Likelihood;
  /** The model (kept as a submodule so `mll.parameters()` lists everything, as in GPyTorch). */
  readonly model: ExactGP;
  /** Solver and device options (src/engine/select.ts). */
  readonly engine: EngineOptions;
  /** What the last call computed with: solver, and BBMM's estimates' errors and residual. */
  lastResult: EngineResult | null = null;
  readonly #rng: Generator;

  /**
   * @param engine `{ device: "wasm" | "webgpu" | "auto", solver: "cholesky" | "cg" | "auto" }`
   * and BBMM options; the probes come from a generator seeded with `engine.seed` (0)
   */
  constructor(likelihood: Likelihood, model: ExactGP, engine: EngineOptions = {}) {
    super();
    if (likelihood === null || typeof likelihood !== "object" || !("call" in likelihood)) {
      throw new TypeError(
        `ExactMarginalLogLikelihood(likelihood, model): likelihood must be a likelihood, got ${likelihood}`,
      );
    }
    this.likelihood = likelihood;
    this.model = model;
    this.engine = { ...engine };
    this.#rng = new Generator(engine.seed ?? 0);
  }

  /**
   * log p(y) / N for the model's prior `output` on the training inputs, with the
   * gradient with respect to every raw parameter involved.
   *
   * @param output `model.call(trainX)` in training mode
   * @param target the training targets
   */
  async call(output: MultivariateNormal, target: VectorLike): Promise<Scalar> {
    if (!(output instanceof MultivariateNormal)) {
      throw new TypeError(
        `mll.call(output, target): output must be model.call(trainX), got ${output}`,
      );
    }
    const y = toVector(target, "target");
    if (y.length !== output.size) {
      throw new TypeError(
        `mll.call(output, target): output has ${output.size} points but target has ${y.length} ` +
          `values; pass the training targets that match the training inputs`,
      );
    }
    const marginal = this.likelihood.call(output);
    const mean = marginal.loc;
    const covariance = marginal.lazyCovarianceMatrix;
    if (!(mean instanceof MeanVector) || !(covariance instanceof KernelCovariance)) {
      throw new TypeError(
        `mll.call(output, target): output is not the model's prior (is the model in eval ` +
          `mode?); call model.train() before computing the training loss`,
      );
    }
    const n = y.length;
    const result = await engineLogProb(mean, covariance, y, true, this.engine, this.#rng);
    this.lastResult = result;
    const gradient = new Map<Parameter, Float64Array>();
    for (const [parameter, g] of result.gradient!) {
      const dValue = parameter.valueDerivative();
      gradient.set(parameter, g.map((v, i) => v * dValue[i] / n));
    }
    // Priors (GPyTorch): + Σ log p(value) over every parameter with a prior, / N.
    let value = result.value;
    const seen = new Set<Parameter>();
    for (const module of [this.model, this.likelihood]) {
      for (const [path, prior, parameter] of module.namedPriors()) {
        if (seen.has(parameter)) continue;
        seen.add(parameter);
        const values = parameter.values;
        const dValue = parameter.valueDerivative();
        let g = gradient.get(parameter);
        if (g === undefined) {
          g = new Float64Array(parameter.size);
          gradient.set(parameter, g);
        }
        for (let i = 0; i < values.length; i++) {
          const lp = prior.logProb(values[i]);
          if (!Number.isFinite(lp)) {
            throw new RangeError(
              `mll.call: ${path}[${i}] = ${values[i]} has log prior ${lp} under ${prior}; ` +
                `move the parameter inside the prior's support`,
            );
          }
          value += lp;
          g[i] += prior.logProbDerivative(values[i]) * dValue[i] / n;
        }
      }
    }
    return new Scalar(value / n, gradient);
  }
}
