/**
 * Exact GP regression models, as GPyTorch's `ExactGP`.
 *
 * @module
 */

import { Module } from "../module.ts";
import { type InputLike, Inputs, toInputs, toVector, type VectorLike } from "../tensor.ts";
import { Tensor } from "../autograd/tensor.ts";
import { TensorPosterior } from "../engine/tensor_posterior.ts";
import { MultivariateNormal } from "../distributions/multivariate_normal.ts";
import type { KernelCovariance } from "../distributions/covariance.ts";
import type { Likelihood } from "../likelihoods/likelihood.ts";
import type { PredictionSolve } from "../prediction_solve.ts";
import { type EngineOptions, ExactInference } from "../engine/exact_inference.ts";
import * as settings from "../settings.ts";

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
    const solve = this.#trainingSolve();
    const training = () =>
      ExactInference.priorOf(
        this.likelihood.call(this.prior(this.#trainInputs!)),
        `${this.constructor.name}.posterior(x)`,
      );
    const tensors = new TensorPosterior({
      solve: () => solve,
      training: () => ({ ...training(), y: this.#trainTargets! }),
      testMean: testPrior.loc,
      // ExactInference.posterior checks that it is a kernel's before anything reads it.
      testCovariance: testPrior.lazyCovarianceMatrix as KernelCovariance,
      x: xTensor,
    });
    return ExactInference.posterior(solve, testPrior, settings.current().fastPredVar, tensors);
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

  /** The training solve for the current parameters, data and options, cached. */
  #trainingSolve(): Promise<PredictionSolve> {
    const key = `${this.#dataVersion}:${this.parameters().map((p) => p.version).join(",")}:${
      JSON.stringify(this.engine)
    }`;
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
