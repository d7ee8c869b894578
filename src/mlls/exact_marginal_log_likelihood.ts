/**
 * The exact marginal log likelihood, the training objective of exact GPs.
 *
 * @module
 */

import { Module } from "../module.ts";
import { toVector, type VectorLike } from "../tensor.ts";
import { MultivariateNormal } from "../distributions/multivariate_normal.ts";
import type { Likelihood } from "../likelihoods/likelihood.ts";
import type { ExactGP } from "../models/exact_gp.ts";
import {
  type EngineOptions,
  type EngineResult,
  ExactInference,
} from "../engine/exact_inference.ts";
import { Generator } from "../random.ts";
import { Scalar } from "../scalar.ts";
import type { Parameter } from "../parameter.ts";
import { InducingPointCovariance } from "../kernels/inducing_point_covariance.ts";

/** Options of {@link ExactMarginalLogLikelihood}. */
export interface ExactMarginalLogLikelihoodOptions extends EngineOptions {
  /**
   * `"exact"` (default): the exact gradient, from K̂⁻¹ (about 3× the flops of the
   * Cholesky factorization). `"stochastic"`: the loss is still exact (from the
   * Cholesky factor), the trace terms of the gradient are estimated without bias
   * with `probes` random vectors solved through the same factor (Hutchinson), so an
   * iteration costs little more than the factorization. The variance of each
   * gradient entry's estimate is reported as `gradientVariance` on the result.
   */
  gradient?: "exact" | "stochastic";
  /** Probe vectors of the stochastic gradient (default 15; at least 2). */
  probes?: number;
  /**
   * Seed of the probe vectors (default: the model's `engine.seed`, else 0): each call
   * draws new probes from one generator, so a training run is reproducible and its
   * gradient errors independent.
   */
  seed?: number;
}

/**
 * (log p(y | X, θ) + Σ log prior(θ)) / N, as GPyTorch's `ExactMarginalLogLikelihood`, with its
 * gradient for every parameter (float64 Cholesky): exact by default, or with stochastic trace
 * terms (`{ gradient: "stochastic" }`, see {@link ExactMarginalLogLikelihoodOptions}). For a model
 * whose covariance is an `InducingPointKernel` (SGPR) it computes GPyTorch's collapsed bound
 * instead, in O(N·M²) (see that kernel; the solver options do not apply).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
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
 * assert.ok(Number.isFinite(loss.value));
 * assert.equal(model.covarModule.rawLengthscale.grad!.length, 1);
 * ```
 */
export class ExactMarginalLogLikelihood extends Module {
  /** The likelihood applied to the model's output. */
  readonly likelihood: Likelihood;
  /** The model (kept as a submodule so `mll.parameters()` lists everything, as in GPyTorch). */
  readonly model: ExactGP;
  /** How the gradient is computed on the Cholesky solver. */
  readonly gradientMode: "exact" | "stochastic";
  /** Probe vectors of the stochastic gradient. */
  readonly probes: number;
  /**
   * Solver and device options (src/engine/select.ts); each key given here overrides the
   * model's {@link ExactGP.engine}.
   */
  readonly engine: EngineOptions;
  /** What the last call computed with: solver, and BBMM's estimates' errors and residual. */
  lastResult: EngineResult | null = null;
  /**
   * SGPR (an `InducingPointKernel` model): the last call's trace term / N,
   * −½ Σᵢ (k(xᵢ, xᵢ) − Qᵢᵢ)/σ²/N (GPyTorch's `InducingPointKernelAddedLossTerm`, already
   * in the value); null otherwise.
   */
  lastSgprTraceTerm: number | null = null;
  readonly #rng: Generator;

  /**
   * @param options the gradient mode (`gradient`, `probes`) and the solver and device
   * options (`device`, `solver`, `cg`, …, over the model's own); the probes of either
   * solver come from a generator seeded with `seed` (the model's, else 0)
   */
  constructor(
    likelihood: Likelihood,
    model: ExactGP,
    options: ExactMarginalLogLikelihoodOptions = {},
  ) {
    super();
    const mode = options.gradient ?? "exact";
    if (mode !== "exact" && mode !== "stochastic") {
      throw new RangeError(
        `ExactMarginalLogLikelihood: gradient = ${mode} must be "exact" or "stochastic"`,
      );
    }
    const probes = options.probes ?? ExactInference.DEFAULT_PROBES;
    if (!Number.isSafeInteger(probes) || probes < 2) {
      throw new RangeError(
        `ExactMarginalLogLikelihood: probes = ${probes} must be an integer ≥ 2 (e.g. 15)`,
      );
    }
    this.gradientMode = mode;
    this.probes = probes;
    const { gradient: _gradient, probes: _probes, ...engine } = options;
    this.engine = engine;
    this.#rng = new Generator(options.seed ?? model?.engine?.seed ?? 0);
    if (likelihood === null || typeof likelihood !== "object" || !("call" in likelihood)) {
      throw new TypeError(
        `ExactMarginalLogLikelihood(likelihood, model): likelihood must be a likelihood, got ${likelihood}`,
      );
    }
    this.likelihood = likelihood;
    this.model = model;
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
    if (output.lazyCovarianceMatrix instanceof InducingPointCovariance) {
      const sgpr = ExactInference.sgprObjective(output, y, [this.model, this.likelihood]);
      this.lastSgprTraceTerm = sgpr.traceTermOverN;
      this.lastResult = null;
      return sgpr.scalar;
    }
    this.lastSgprTraceTerm = null;
    const { mean, covariance } = ExactInference.priorOf(
      this.likelihood.call(output),
      "mll.call(output, target)",
    );
    const n = y.length;
    const inference = new ExactInference({
      mean,
      covariance,
      targets: y,
      options: {
        ...this.model.engine,
        ...this.engine,
        gradient: this.gradientMode,
        probes: this.probes,
        generator: this.#rng,
      },
    });
    const result = await inference.logProb({ gradient: true });
    this.lastResult = result;
    const gradient = new Map<Parameter, Float64Array>();
    for (const [key, g] of result.gradient!) {
      // Every key is a Parameter: kernels, means and likelihoods record their Parameters.
      const parameter = key as Parameter;
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
    let variance: Map<Parameter, Float64Array> | null = null;
    if (result.gradientVariance !== null) {
      variance = new Map();
      for (const [key, v] of result.gradientVariance) {
        const parameter = key as Parameter;
        const dValue = parameter.valueDerivative();
        variance.set(parameter, v.map((x, i) => x * (dValue[i] / n) ** 2));
      }
    }
    return new Scalar(value / n, gradient, variance);
  }
}
