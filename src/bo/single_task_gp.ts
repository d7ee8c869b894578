/**
 * BoTorch's `SingleTaskGP`: an exact GP with BoTorch's default covariance, priors and noise
 * constraint, a `Normalize` input transform and a `Standardize` outcome transform.
 *
 * @module
 */
import { Tensor } from "../autograd/tensor.ts";
import { GreaterThan } from "../constraints.ts";
import { MultivariateNormal } from "../distributions/multivariate_normal.ts";
import { RBFKernel } from "../kernels/rbf_kernel.ts";
import { GaussianLikelihood } from "../likelihoods/gaussian_likelihood.ts";
import { FixedNoiseGaussianLikelihood } from "../likelihoods/fixed_noise_gaussian_likelihood.ts";
import { ConstantMean } from "../means/constant_mean.ts";
import { ExactGP } from "../models/exact_gp.ts";
import { LogNormalPrior } from "../priors/log_normal_prior.ts";
import { type InputLike, type Inputs, toInputs, toVector, type VectorLike } from "../tensor.ts";
import { Normalize } from "./normalize.ts";
import { Posterior } from "./posterior.ts";
import { Standardize } from "./standardize.ts";

/** BoTorch's `MIN_INFERRED_NOISE_LEVEL`: the noise constraint's lower bound. */
export const MIN_INFERRED_NOISE_LEVEL = 1e-4;

/** Options of {@link SingleTaskGP}. */
export interface SingleTaskGPOptions {
  /**
   * The search box [lower, upper] for the `Normalize` input transform (default: learned
   * from trainX's min and max, as BoTorch's `Normalize(d)` without bounds).
   */
  bounds?: ArrayLike<ArrayLike<number>>;
  /** Apply `Normalize` (default true). `false`: the kernel sees the inputs as given. */
  inputTransform?: boolean;
  /** Apply `Standardize` (default true, as BoTorch ≥ 0.12). */
  outcomeTransform?: boolean;
  /** Known observation noise variances, one per point (BoTorch's `train_Yvar`). */
  trainYvar?: VectorLike;
}

/** Options of {@link SingleTaskGP.predict}. */
export interface PredictOptions {
  /** Add the likelihood's noise (the posterior over y instead of f; default false). */
  observationNoise?: boolean;
}

/**
 * BoTorch's `SingleTaskGP(train_X, train_Y, train_Yvar, input_transform=Normalize(d, bounds),
 * outcome_transform=Standardize(1))` with the defaults of BoTorch 0.12–0.14 (Hvarfner et al.
 * 2024, "Vanilla BO"): a `ConstantMean`, an ARD `RBFKernel` with no `ScaleKernel`, lengthscale
 * prior LogNormal(√2 + ½ log d, √3) and constraint GreaterThan(0.025) starting at the prior's
 * mode, and a `GaussianLikelihood` with noise prior LogNormal(−4, 1) and constraint
 * GreaterThan(1e-4) starting at its mode (exp(−5)); with `trainYvar`, a
 * `FixedNoiseGaussianLikelihood` with those variances. (BoTorch's main branch has since
 * wrapped the RBF in a ScaleKernel with a Gamma(2, 0.15) outputscale prior; gpts follows the
 * released 0.12–0.14 form.) BoTorch's constraints use no transform (the optimizer keeps the
 * raw value above the bound); gpts's use softplus above the bound, the same set of values.
 *
 * The kernel sees normalized inputs and standardized outcomes (`model.call(x)` and
 * `model.posterior(x)` are in those units, as ExactGP's); {@link SingleTaskGP.predict} takes
 * inputs in the original units and gives the posterior in the original outcome units.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const x = [[0], [2], [4], [6], [8], [10]];
 * const y = x.map(([v]) => Math.sin(v / 2) * 100);
 * const model = new gp.bo.SingleTaskGP(x, y, { bounds: [[0], [10]] });
 * await gp.bo.fitModel(model);
 * const [mean] = await model.predict([[4]]).mean();
 * assert.ok(Math.abs(mean - y[2]) < 10);
 * ```
 */
export class SingleTaskGP extends ExactGP {
  /** The constant mean. */
  readonly meanModule: ConstantMean;
  /** The ARD RBF kernel. */
  readonly covarModule: RBFKernel;
  /** The input transform, or null. */
  readonly inputTransform: Normalize | null;
  /** The outcome transform, or null. */
  readonly outcomeTransform: Standardize | null;
  /** The training inputs in the original units. */
  readonly trainX: Inputs;
  /** The training outcomes in the original units. */
  readonly trainY: Float64Array;

  /**
   * @param trainX N ≥ 1 training points (N × d rows, or N numbers for d = 1)
   * @param trainY N finite outcomes
   * @param options bounds, transforms on/off, known noise
   * @throws {TypeError} for missing data or mismatched lengths
   * @throws {RangeError} for non-finite values, bad bounds or negative noise variances
   */
  constructor(trainX: InputLike, trainY: VectorLike, options: SingleTaskGPOptions = {}) {
    const empty = (v: unknown) =>
      v === null || v === undefined || (typeof v === "object" && "length" in v && v.length === 0);
    if (empty(trainX) || (!(trainX instanceof Object && "n" in trainX) && empty(trainY))) {
      throw new TypeError(
        `SingleTaskGP(trainX, trainY): no training data (trainX is ${
          trainX === null || trainX === undefined ? String(trainX) : "empty"
        }); evaluate an initial design first ` +
          "(e.g. new gp.bo.SobolEngine(d, { scramble: true }).draw(2 * (d + 1)))",
      );
    }
    const x = toInputs(trainX, "SingleTaskGP(trainX)");
    const y = toVector(trainY, "SingleTaskGP(trainY)");
    if (y.length !== x.n) {
      throw new TypeError(
        `SingleTaskGP(trainX, trainY): trainX has ${x.n} point(s) but trainY ${y.length} ` +
          `value(s); give one outcome per point`,
      );
    }
    const normalize = options.inputTransform === false ? null : new Normalize(
      options.bounds !== undefined ? { bounds: options.bounds } : { trainX: x },
    );
    if (normalize !== null && normalize.dim !== x.d) {
      throw new TypeError(
        `SingleTaskGP({ bounds }): the bounds have ${normalize.dim} dimension(s) but trainX ` +
          `has ${x.d}; give [lower, upper] with ${x.d} entries each`,
      );
    }
    const standardize = options.outcomeTransform === false ? null : new Standardize(y);
    let likelihood: GaussianLikelihood | FixedNoiseGaussianLikelihood;
    if (options.trainYvar !== undefined) {
      const v = toVector(options.trainYvar, "SingleTaskGP({ trainYvar })");
      if (v.length !== x.n) {
        throw new TypeError(
          `SingleTaskGP({ trainYvar }): ${v.length} variance(s) for ${x.n} point(s); give one ` +
            `per point`,
        );
      }
      likelihood = new FixedNoiseGaussianLikelihood(
        standardize === null ? v : standardize.transformVariance(v),
      );
    } else {
      const noisePrior = new LogNormalPrior(-4, 1);
      likelihood = new GaussianLikelihood({
        noiseConstraint: new GreaterThan(MIN_INFERRED_NOISE_LEVEL, {
          initialValue: Math.exp(-4 - 1),
        }),
      });
      likelihood.noiseCovar.registerPrior("noisePrior", noisePrior, "noise");
    }
    super(
      normalize === null ? x : normalize.transform(x),
      standardize === null ? y : standardize.transform(y),
      likelihood,
    );
    this.inputTransform = normalize;
    this.outcomeTransform = standardize;
    this.trainX = x;
    this.trainY = y;
    this.meanModule = new ConstantMean();
    const loc = Math.SQRT2 + 0.5 * Math.log(x.d), scale = Math.sqrt(3);
    this.covarModule = new RBFKernel({
      ardNumDims: x.d,
      lengthscalePrior: new LogNormalPrior(loc, scale),
      lengthscaleConstraint: new GreaterThan(0.025, { initialValue: Math.exp(loc - scale ** 2) }),
    });
  }

  /** The input dimension d. */
  get dim(): number {
    return this.trainX.d;
  }

  /** The prior: ConstantMean and the RBF kernel. */
  forward(x: Inputs): MultivariateNormal {
    return new MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x));
  }

  /**
   * The posterior at `x` (m points in the ORIGINAL input units: a tensor [m, d], or [m] for
   * d = 1, or numbers), in the original outcome units (BoTorch's `model.posterior(X)`);
   * differentiable in a tensor `x` and in the parameters. Works in train or eval mode.
   *
   * @throws {TypeError} when x has the wrong dimension, or `observationNoise` is asked of a
   * model with known (fixed) noise, whose test-point noise is unknown
   */
  predict(x: Tensor | InputLike, options: PredictOptions = {}): Posterior {
    const d = this.dim;
    let t: Tensor;
    if (x instanceof Tensor) {
      t = x.ndim === 1 && d === 1 ? x.reshape([x.size, 1]) : x;
      if (t.ndim !== 2 || t.shape[1] !== d) {
        throw new TypeError(
          `SingleTaskGP.predict(x): x has shape [${x.shape.join(", ")}]; pass m points as an ` +
            `[m, ${d}] tensor`,
        );
      }
    } else {
      const inputs = toInputs(x, "SingleTaskGP.predict(x)", d);
      t = new Tensor(inputs.data, [inputs.n, inputs.d]);
    }
    const xn = this.inputTransform === null ? t : this.inputTransform.transformTensor(t);
    let mvn = this.posterior(xn);
    if (options.observationNoise === true) {
      if (!(this.likelihood instanceof GaussianLikelihood)) {
        throw new TypeError(
          "SingleTaskGP.predict(x, { observationNoise: true }): the model has known noise " +
            "(trainYvar), so the noise at new points is unknown; predict f without it",
        );
      }
      mvn = this.likelihood.call(mvn);
    }
    const s = this.outcomeTransform;
    return new Posterior(mvn, s === null ? 0 : s.mean, s === null ? 1 : s.std);
  }
}
