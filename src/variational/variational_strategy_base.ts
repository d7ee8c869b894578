/**
 * What the variational strategies share, as GPyTorch 1.12's `_VariationalStrategy`: the
 * inducing points, q(u), the jitter, the model, the lazy initialisation and the rollback
 * of a failed call.
 *
 * @module
 */

import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { type InputLike, type Inputs, toInputs } from "../tensor.ts";
import { MultivariateNormal } from "../distributions/multivariate_normal.ts";
import { KernelCovariance } from "../distributions/covariance.ts";
import { MeanVector } from "../means/mean.ts";
import { Generator } from "../random.ts";
import type { Tensor } from "../autograd/tensor.ts";
import { VariationalDistribution } from "./variational_distribution.ts";
import type { VariationalMultivariateNormal } from "../distributions/variational_multivariate_normal.ts";

/**
 * GPyTorch's `variational_cholesky_jitter` for float64, added to K_uu (and, by the whitened
 * strategy, to the predictive covariance).
 *
 * @example
 * ```ts
 * import { VARIATIONAL_JITTER } from "./variational_strategy_base.ts";
 * import assert from "node:assert";
 * assert.strictEqual(VARIATIONAL_JITTER, 1e-6);
 * ```
 */
export const VARIATIONAL_JITTER = 1e-6;

/** What a strategy needs of its model: the prior at some inputs. */
export interface PriorModel {
  /** The prior N(μ(x), k(x, x)) from the model's mean and kernel modules. */
  forward(x: Inputs): MultivariateNormal;
}

/** Options of the variational strategies. */
export interface VariationalStrategyOptions {
  /** Train the inducing points' locations (default true, as GPyTorch). */
  learnInducingLocations?: boolean;
  /** Jitter added to K_uu (default 1e-6, GPyTorch's float64 value). */
  jitter?: number;
  /** Seed of the lazy initialisation's draw of the variational mean (default 0). */
  seed?: number;
}

/** A model's prior at some inputs, checked to be mean module + kernel module. */
export interface CheckedPrior {
  /** The inputs, checked against the inducing points' dimension. */
  inputs: Inputs;
  /** μ at the inputs (with the mean module, to evaluate it elsewhere). */
  loc: MeanVector;
  /** k at the inputs (with the kernel's plan, to evaluate it elsewhere). */
  cov: KernelCovariance;
}

/**
 * The base of {@link VariationalStrategy} (whitened) and
 * {@link UnwhitenedVariationalStrategy}: give it to {@link ApproximateGP}'s constructor.
 * Subclasses define q(f(x)) (`call`), `kl()` and the lazy initialisation of q(u).
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 * const s = new gp.variational.VariationalStrategy(
 *   null, [0, 1], new gp.variational.CholeskyVariationalDistribution(2),
 * );
 * assert.ok(s instanceof gp.variational.VariationalStrategyBase);
 * assert.strictEqual(s.numInducingPoints, 2);
 * ```
 */
export abstract class VariationalStrategyBase extends Module {
  /** The inducing points Z, M × d row-major (GPyTorch's `inducing_points`). */
  readonly inducingPoints: Parameter;
  /** q(u) (or q(v), whitened). */
  readonly variationalDistribution: VariationalDistribution;
  /** M. */
  readonly numInducingPoints: number;
  /** d, the inducing points' (and the data's) dimension. */
  readonly inputDims: number;
  /** The jitter on K_uu. */
  readonly jitter: number;
  /** False until the lazy initialisation has run (or the user set the values). */
  variationalParamsInitialized = false;
  #name: string;
  #model: PriorModel | null;
  #generator: Generator;

  /**
   * @param model the model (or null: {@link ApproximateGP}'s constructor attaches it)
   * @param inducingPoints Z: M points, or M × d
   * @param variationalDistribution q, of size M
   * @param options learnInducingLocations (true), jitter (1e-6), seed (0)
   * @throws {RangeError} when the distribution's size differs from M, or a bad option
   */
  constructor(
    model: PriorModel | null,
    inducingPoints: InputLike,
    variationalDistribution: VariationalDistribution,
    options: VariationalStrategyOptions = {},
  ) {
    super();
    const name = new.target.name; // the subclass's, for messages
    const fn = `${name}(model, inducingPoints, variationalDistribution)`;
    const z = toInputs(inducingPoints, "inducingPoints");
    if (!(variationalDistribution instanceof VariationalDistribution)) {
      throw new TypeError(
        `${fn}: variationalDistribution must be e.g. new CholeskyVariationalDistribution(${z.n}), ` +
          `got ${variationalDistribution}`,
      );
    }
    if (variationalDistribution.numInducingPoints !== z.n) {
      throw new RangeError(
        `${fn}: the variational distribution has size ${variationalDistribution.numInducingPoints} ` +
          `but there are ${z.n} inducing points; construct it with ` +
          `new CholeskyVariationalDistribution(${z.n})`,
      );
    }
    const jitter = options.jitter ?? VARIATIONAL_JITTER;
    if (!Number.isFinite(jitter) || jitter < 0) {
      throw new RangeError(
        `${name}({ jitter }): jitter = ${jitter} must be finite and ≥ 0 (GPyTorch: 1e-6)`,
      );
    }
    this.#name = name;
    this.#generator = new Generator(options.seed ?? 0);
    this.inducingPoints = new Parameter(z.data, {
      requiresGrad: options.learnInducingLocations ?? true,
    });
    this.variationalDistribution = variationalDistribution;
    this.numInducingPoints = z.n;
    this.inputDims = z.d;
    this.jitter = jitter;
    this.#model = model;
  }

  /** The model whose prior this strategy reads (set by {@link ApproximateGP}). */
  get model(): PriorModel | null {
    return this.#model;
  }

  /** @internal Attach the model (once). */
  attach(model: PriorModel): void {
    if (this.#model !== null && this.#model !== model) {
      throw new TypeError(
        `${this.#name}: this strategy already belongs to another model; create one ` +
          `strategy per model`,
      );
    }
    this.#model = model;
  }

  /** Z as a recorded [M, d] tensor (a leaf of the inducing points' parameter). */
  inducingTensor(): Tensor {
    return this.inducingPoints.rawTensor().reshape([this.numInducingPoints, this.inputDims]);
  }

  /** KL(q(u) ‖ p(u)), recorded (GPyTorch's `kl_divergence()`). */
  abstract kl(): Tensor;

  /** q(f(x)) (GPyTorch's `variational_strategy(x)`). */
  abstract call(x: InputLike): VariationalMultivariateNormal;

  /** Set q from the prior (GPyTorch's `initialize_variational_distribution(prior_distribution)`). */
  protected abstract initializeVariational(generator: Generator): void;

  /**
   * The model's prior at `x` (default: the inducing points' current values), checked: the
   * model is attached, x has the inducing points' dimension, forward(x) is mean + kernel.
   */
  protected checkedPrior(method: string, x?: InputLike): CheckedPrior {
    const fn = `${this.#name}.${method}`;
    const model = this.#model;
    if (model === null) {
      throw new TypeError(
        `${fn}: the strategy has no model; give it to ApproximateGP's constructor ` +
          `(super(strategy))`,
      );
    }
    const inputs = x === undefined
      ? toInputs(this.inducingPoints.rawValues, "inducingPoints", this.inputDims)
      : toInputs(x, "x");
    if (inputs.d !== this.inputDims) {
      throw new TypeError(
        `${fn}: x has ${inputs.d} dimension(s) per point but the inducing points have ` +
          `${this.inputDims}; give inducingPoints as M × ${inputs.d} (the data's dimension)`,
      );
    }
    const prior = model.forward(inputs);
    const loc = prior?.loc, cov = prior?.lazyCovarianceMatrix;
    if (
      !(prior instanceof MultivariateNormal) || !(loc instanceof MeanVector) ||
      !(cov instanceof KernelCovariance) || cov.diagonalTerms.length > 0
    ) {
      throw new TypeError(
        `${fn}: the model's forward(x) must return ` +
          `new MultivariateNormal(meanModule.call(x), covarModule.call(x)), got ${prior}`,
      );
    }
    return { inputs, loc, cov };
  }

  /** Run the lazy initialisation unless it has run (or the user set the values). */
  protected ensureInitialized(): void {
    if (this.variationalParamsInitialized) return;
    this.initializeVariational(this.#generator);
    this.variationalParamsInitialized = true;
  }

  /**
   * @internal The lazy initialisation's state (the flag and the generator), as a function
   * that puts it back: a caller whose step fails after `call` (a training loop) restores
   * it, so a retry draws the same initial values.
   */
  initializationCheckpoint(): () => void {
    const initialized = this.variationalParamsInitialized, seed = this.#generator.seed;
    return () => {
      this.variationalParamsInitialized = initialized;
      this.#generator = new Generator(seed);
    };
  }

  /** Run `body`; if it throws, undo a lazy initialisation it made (nothing left half-done). */
  protected atomically<T>(body: () => T): T {
    if (this.variationalParamsInitialized) return body();
    const q = this.variationalDistribution;
    const saved = q.parameters().map((p) => [p, p.rawValues] as const);
    const restore = this.initializationCheckpoint();
    try {
      return body();
    } catch (e) {
      for (const [p, raw] of saved) p.setRaw(raw);
      restore();
      throw e;
    }
  }
}
