/**
 * Exact GP regression models, as GPyTorch's `ExactGP`.
 *
 * @module
 */

import { Module } from "../module.ts";
import { type InputLike, Inputs, toInputs, toVector, type VectorLike } from "../tensor.ts";
import { Tensor } from "../autograd/tensor.ts";
import { MultivariateNormal } from "../distributions/multivariate_normal.ts";
import type { Likelihood } from "../likelihoods/likelihood.ts";
import type { PredictionSolve } from "../prediction_solve.ts";
import { type EngineOptions, ExactInference } from "../engine/exact_inference.ts";
import { FixedNoiseGaussianLikelihood } from "../likelihoods/fixed_noise_gaussian_likelihood.ts";
import * as settings from "../settings.ts";
import { InducingPointCovariance } from "../kernels/inducing_point_covariance.ts";

/**
 * The base class of exact GP models. Subclass it, declare a mean and a covariance
 * module as fields, and write `forward(x)` returning the prior at `x`:
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as gp from "../../mod.ts";
 *
 * class ExactGPModel extends gp.models.ExactGP {
 *   meanModule = new gp.means.ConstantMean();
 *   covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
 *   forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
 *     return new gp.distributions.MultivariateNormal(
 *       this.meanModule.call(x),
 *       this.covarModule.call(x),
 *     );
 *   }
 * }
 *
 * const x = gp.linspace(0, 1, 20);
 * const y = x.map((v) => Math.sin(6 * v));
 * const model = new ExactGPModel(x, y, new gp.likelihoods.GaussianLikelihood());
 * model.initialize({ "covarModule.baseKernel.lengthscale": 0.2, "likelihood.noise": 1e-3 });
 * model.eval();
 * const prediction = model.call([0.5]);
 * assert.ok(Math.abs((await prediction.mean())[0] - Math.sin(3)) < 1e-2); // the data's function
 * ```
 */
export abstract class ExactGP extends Module {
  /** The likelihood (a submodule: its parameters are the model's too). */
  readonly likelihood: Likelihood;
  #trainInputs: Inputs | null = null;
  #trainTargets: Float64Array | null = null;
  #dataVersion = 0;
  #cache: { key: string; solve: Promise<PredictionSolve> } | null = null;
  /**
   * Solver and device for this model: `{ device: "wasm" | "webgpu" | "auto", solver:
   * "cholesky" | "cg" | "auto", cg: {…} }` (src/engine/select.ts). Prediction uses them;
   * an {@link ExactMarginalLogLikelihood} uses them too, its own options overriding
   * (key by key). Assign a new object to change them: `model.engine = { solver: "cg" }`.
   */
  engine: EngineOptions;

  /**
   * @param trainX training inputs (N points, or N × d), or null for a prior-only model
   * @param trainY training targets (N values), or null
   * @param likelihood the observation model
   * @param engine solver and device options (see {@link ExactGP.engine}; default auto)
   */
  constructor(
    trainX: InputLike | null,
    trainY: VectorLike | null,
    likelihood: Likelihood,
    engine: EngineOptions = {},
  ) {
    super();
    this.engine = { ...engine };
    if (likelihood === null || typeof likelihood !== "object" || !("call" in likelihood)) {
      throw new TypeError(
        `ExactGP(trainX, trainY, likelihood): likelihood must be a likelihood such as ` +
          `new GaussianLikelihood(), got ${likelihood}`,
      );
    }
    this.likelihood = likelihood;
    if (trainX !== null || trainY !== null) this.setTrainData(trainX, trainY);
  }

  /**
   * The prior at `x`: the user's model. Return
   * `new MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x))`.
   */
  abstract forward(x: Inputs): MultivariateNormal;

  /** The training inputs, or null. */
  get trainInputs(): Inputs | null {
    return this.#trainInputs;
  }

  /** The training targets (a copy), or null. */
  get trainTargets(): Float64Array | null {
    return this.#trainTargets === null ? null : this.#trainTargets.slice();
  }

  /**
   * Replace the training data (GPyTorch's `set_train_data`). Both are checked
   * before anything changes.
   */
  setTrainData(trainX: InputLike | null, trainY: VectorLike | null): void {
    if (trainX === null || trainY === null) {
      throw new TypeError(
        `setTrainData(trainX, trainY): got trainX = ${
          trainX === null ? "null" : "inputs"
        } and trainY = ${
          trainY === null ? "null" : "targets"
        }; give both, or neither to the constructor for a prior-only model`,
      );
    }
    const x = toInputs(trainX, "trainX");
    const y = toVector(trainY, "trainY");
    if (y.length !== x.n) {
      throw new TypeError(
        `setTrainData(trainX, trainY): trainX has ${x.n} points but trainY has ${y.length} ` +
          `values; give one target per input point`,
      );
    }
    this.#trainInputs = x;
    this.#trainTargets = y;
    this.#dataVersion++;
    this.#cache = null;
  }

  /**
   * The model at `x`, as GPyTorch's `model(x)`: the prior in training mode (what the
   * marginal log likelihood needs), the posterior given the training data in eval
   * mode (the prior when the model has no training data).
   */
  call(x: InputLike | Tensor): MultivariateNormal {
    if (this.training || this.#trainInputs === null) return this.prior(x);
    return this.posterior(x);
  }

  /** Test inputs given as a tensor ([m] or [m, d]): as Inputs, and as an [m, d] tensor. */
  #tensorInputs(x: Tensor): { inputs: Inputs; tensor: Tensor } {
    const t = x.ndim === 1 ? x.reshape([x.size, 1]) : x;
    if (t.ndim !== 2 || t.shape[0] === 0) {
      throw new TypeError(
        `${this.constructor.name}.call(x): x has shape [${x.shape.join(", ")}]; pass a Tensor ` +
          `of m points [m] or m points of d dimensions [m, d]`,
      );
    }
    const d = this.#trainInputs?.d;
    if (d !== undefined && t.shape[1] !== d) {
      throw new TypeError(
        `${this.constructor.name}.call(x): x has ${t.shape[1]} dimension(s) per point but the ` +
          `training inputs have ${d}; pass an [m, ${d}] tensor`,
      );
    }
    const data = t.data.slice();
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw new RangeError(`${this.constructor.name}.call(x): x holds ${data[i]} at ${i}`);
      }
    }
    return { inputs: new Inputs(data, t.shape[0], t.shape[1]), tensor: t };
  }

  /** The prior at `x`, whatever the mode. */
  prior(x: InputLike | Tensor): MultivariateNormal {
    const inputs = x instanceof Tensor
      ? this.#tensorInputs(x).inputs
      : toInputs(x, "x", this.#trainInputs?.d);
    const output = this.forward(inputs);
    if (!(output instanceof MultivariateNormal)) {
      throw new TypeError(
        `${this.constructor.name}.forward(x) returned ${output}; it must return ` +
          `new MultivariateNormal(meanModule.call(x), covarModule.call(x))`,
      );
    }
    if (output.size !== inputs.n) {
      throw new TypeError(
        `${this.constructor.name}.forward(x) returned a distribution of size ${output.size} ` +
          `for ${inputs.n} points`,
      );
    }
    return output;
  }

  /**
   * The posterior at `x` given the training data, whatever the mode. It uses the
   * parameters' values now; the solve against the training data is cached and
   * recomputed only after a parameter or the data changes.
   *
   * With `x` a {@link Tensor}, the differentiable forms (`meanTensor()`,
   * `varianceTensor()`, `covarianceTensor()` of the result) are differentiable in `x`
   * as well as in every parameter (Cholesky path); the number forms are unchanged.
   *
   * @example
   * ```ts
   * import * as gp from "../../mod.ts";
   * import assert from "node:assert";
   * class Model extends gp.models.ExactGP {
   *   meanModule = new gp.means.ZeroMean();
   *   covarModule = new gp.kernels.RBFKernel();
   *   forward(x: gp.Inputs) {
   *     return new gp.distributions.MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x));
   *   }
   * }
   * const model = new Model([0, 0.5, 1], [0, 1, 0], new gp.likelihoods.GaussianLikelihood());
   * model.eval();
   * const x = gp.autograd.tensor([0.3], { requiresGrad: true });
   * const mean = await model.call(x).meanTensor();
   * mean.sum().backward();
   * assert.ok(x.grad!.item() > 0); // the mean rises towards the data's peak at 0.5
   * ```
   */
  posterior(x: InputLike | Tensor): MultivariateNormal {
    if (this.#trainInputs === null || this.#trainTargets === null) {
      throw new TypeError(
        `${this.constructor.name}.posterior(x): the model has no training data; ` +
          `use model.prior(x), or setTrainData(trainX, trainY) first`,
      );
    }
    const xTensor = x instanceof Tensor ? this.#tensorInputs(x).tensor : null;
    const testPrior = this.prior(x);
    if (testPrior.lazyCovarianceMatrix instanceof InducingPointCovariance) {
      // SGPR (an InducingPointKernel): the low-rank predictive, O(N·M²), number forms.
      return ExactInference.sgprPosterior(
        this.prior(this.#trainInputs),
        this.#trainTargets,
        testPrior,
      );
    }
    const solve = this.#trainingSolve();
    const training = () =>
      ExactInference.priorOf(
        this.likelihood.call(this.prior(this.#trainInputs!)),
        `${this.constructor.name}.posterior(x)`,
      );
    return ExactInference.posterior(solve, testPrior, settings.current().fastPredVar, {
      training: () => ({ ...training(), y: this.#trainTargets! }),
      x: xTensor,
    });
  }

  /**
   * The solve against the training data that prediction uses (Cholesky or BBMM, per
   * {@link ExactGP.engine}), for the current parameters and data: its `solver` and
   * `device` say what was used. Cached; recomputed after a parameter, the data or the
   * options change.
   */
  predictionSolve(): Promise<PredictionSolve> {
    if (this.#trainInputs === null) {
      throw new TypeError(`${this.constructor.name}.predictionSolve(): no training data`);
    }
    return this.#trainingSolve();
  }

  /**
   * A new model with the observations (x, y) added to the training data, as GPyTorch's
   * `get_fantasy_model` and BoTorch's `condition_on_observations`. Its training solve is
   * the old Cholesky factor grown by one block (O(N² k) for k new points, see
   * src/engine/fantasy_update.ts), not a new factorisation; it equals the from-scratch
   * solve to rounding. The model must be in eval mode with training data (as GPyTorch's
   * needs the prediction cache). When this model predicts by CG, the new one solves from
   * scratch on first use.
   *
   * The new model is in eval mode and SHARES this model's modules and parameters
   * (GPyTorch deep-copies them): its `forward` is this model's, its `base` is this model,
   * and changing a parameter of one changes both (the new model then refactorises on its
   * next prediction). Nothing changes on this model.
   *
   * @param x the new inputs (k points, or k × d, with the training inputs' d)
   * @param y the k new targets (finite)
   *
   * @example
   * ```ts
   * import * as gp from "../../mod.ts";
   * import assert from "node:assert";
   * class Model extends gp.models.ExactGP {
   *   meanModule = new gp.means.ZeroMean();
   *   covarModule = new gp.kernels.RBFKernel();
   *   forward(x: gp.Inputs) {
   *     return new gp.distributions.MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x));
   *   }
   * }
   * const model = new Model([0, 0.5], [0, 1], new gp.likelihoods.GaussianLikelihood());
   * model.eval();
   * const fantasy = await model.conditionOnObservations([1], [0.5]);
   * const fresh = new Model([0, 0.5, 1], [0, 1, 0.5], new gp.likelihoods.GaussianLikelihood());
   * fresh.eval();
   * const a = (await fantasy.call([0.8]).mean())[0], b = (await fresh.call([0.8]).mean())[0];
   * assert.ok(Math.abs(a - b) < 1e-12);
   * assert.strictEqual(fantasy.trainInputs!.n, 3);
   * ```
   */
  async conditionOnObservations(x: InputLike, y: VectorLike): Promise<ExactGP> {
    const what = `${this.constructor.name}.conditionOnObservations(x, y)`;
    if (this.#trainInputs === null || this.#trainTargets === null) {
      throw new TypeError(
        `${what}: the model has no training data; setTrainData(trainX, trainY) first (or ` +
          `build the model with the observations)`,
      );
    }
    if (this.training) {
      throw new TypeError(
        `${what}: the model is in training mode; call model.eval() first (conditioning ` +
          `updates the prediction cache, as GPyTorch's get_fantasy_model)`,
      );
    }
    if (this.likelihood instanceof FixedNoiseGaussianLikelihood) {
      throw new TypeError(
        `${what}: the model has a FixedNoiseGaussianLikelihood, whose noise at the new points ` +
          `is unknown (and whose noise list the two models would share); build a new model ` +
          `with all the data and their noise instead`,
      );
    }
    const old = this.#trainInputs, d = old.d;
    const newX = toInputs(x, `${what}: x`, d);
    const newY = toVector(y, `${what}: y`);
    if (newY.length !== newX.n) {
      throw new TypeError(
        `${what}: x has ${newX.n} point(s) but y has ${newY.length} value(s); give one ` +
          `target per new point`,
      );
    }
    const allX = new Float64Array((old.n + newX.n) * d);
    allX.set(old.data);
    allX.set(newX.data, old.n * d);
    const allY = new Float64Array(old.n + newX.n);
    allY.set(this.#trainTargets);
    allY.set(newY, old.n);
    const solve = await this.#trainingSolve();
    const model = new ConditionedExactGP(this, new Inputs(allX, allY.length, d), allY);
    model.eval();
    // The old points' noise must be what the old factor holds, or the update is wrong.
    const prior = ExactInference.priorOf(
      model.likelihood.call(model.prior(model.#trainInputs!)),
      what,
    );
    const was = ExactInference.priorOf(this.likelihood.call(this.prior(old)), what).covariance
      .addedDiagonal();
    const now = prior.covariance.addedDiagonal();
    for (let i = 0; i < old.n; i++) {
      if (was[i] !== now[i]) {
        throw new TypeError(
          `${what}: the likelihood adds ${now[i]} to the diagonal at training point ${i} ` +
            `once the new points are added, but ${was[i]} before; conditioning needs a ` +
            `noise model that does not depend on the other points`,
        );
      }
    }
    const updated = ExactInference.conditionSolve(solve, prior, allY);
    if (updated !== null) {
      model.#cache = { key: model.#cacheKey(), solve: Promise.resolve(updated) };
    }
    return model;
  }

  /** What the cached training solve depends on: data, parameter values, engine options. */
  #cacheKey(): string {
    return `${this.#dataVersion}:${this.parameters().map((p) => p.version).join(",")}:${
      JSON.stringify(this.engine)
    }`;
  }

  /** The training solve for the current parameters, data and options, cached. */
  #trainingSolve(): Promise<PredictionSolve> {
    const key = this.#cacheKey();
    if (this.#cache !== null && this.#cache.key === key) return this.#cache.solve;
    const { mean, covariance } = ExactInference.priorOf(
      this.likelihood.call(this.prior(this.#trainInputs!)),
      `${this.constructor.name}.predictionSolve()`,
    );
    const solve = new ExactInference({
      mean,
      covariance,
      targets: this.#trainTargets!,
      options: this.engine,
    }).predictionSolve();
    const entry = { key, solve };
    this.#cache = entry;
    // A failed solve (not positive definite) is not cached: the next call tries again.
    solve.catch(() => {
      if (this.#cache === entry) this.#cache = null;
    });
    return solve;
  }
}

/**
 * The model {@link ExactGP.conditionOnObservations} returns: `base`'s prior (its modules
 * and parameters, shared) with more training data.
 */
class ConditionedExactGP extends ExactGP {
  /** The model this one was conditioned from (its modules are this model's). */
  readonly base: ExactGP;

  constructor(base: ExactGP, x: Inputs, y: Float64Array) {
    super(x, y, base.likelihood, base.engine);
    this.base = base;
  }

  forward(x: Inputs): MultivariateNormal {
    return this.base.forward(x);
  }
}
