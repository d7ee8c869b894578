/**
 * The whitened variational strategy, as GPyTorch 1.12's `VariationalStrategy`.
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
import { Tensor } from "../autograd/tensor.ts";
import { log, square } from "../autograd/elementwise.ts";
import { whitenedVarianceTerm } from "../autograd/whitened_variance.ts";
import { diagonal, matmul } from "../autograd/matrix.ts";
import { cholesky, triangularSolve } from "../autograd/linalg.ts";
import { kernelDiagonal, kernelMatrix } from "../autograd/kernel_ops.ts";
import { thetaTensor } from "../theta_tensor.ts";
import { VariationalDistribution } from "./variational_distribution.ts";
import { VariationalMultivariateNormal } from "../distributions/variational_multivariate_normal.ts";
import { eye } from "../autograd/variational_primitives.ts";

/**
 * GPyTorch's `variational_cholesky_jitter` for float64, added to K_uu and to the
 * predictive covariance.
 *
 * @example
 * ```ts
 * import { VARIATIONAL_JITTER } from "./variational_strategy.ts";
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

/** Options of {@link VariationalStrategy}. */
export interface VariationalStrategyOptions {
  /** Train the inducing points' locations (default true, as GPyTorch). */
  learnInducingLocations?: boolean;
  /** Jitter added to K_uu and to the predictive covariance (default 1e-6, GPyTorch's float64 value). */
  jitter?: number;
  /** Seed of the lazy initialisation's draw of the variational mean (default 0). */
  seed?: number;
}

/**
 * The whitened strategy: u = L v with K_uu + jitter·I = L Lᵀ, q(v) = N(m, S) the
 * variational distribution and p(v) = N(0, I). For inputs x, with A = L⁻¹ K_ux:
 * q(f(x)) = N(μ(x) + Aᵀ m, K_xx + jitter·I + Aᵀ (S − I) A), exactly GPyTorch 1.12's
 * formula, including its jitter (1e-6 in float64) both on K_uu and on the predictive
 * covariance. `kl()` is KL(q(v) ‖ N(0, I)).
 *
 * Lazy initialisation as GPyTorch: at the first `call` (unless
 * `variationalParamsInitialized` is already true) the distribution is set to
 * m = 1e-3·randn (from a generator seeded by `seed`), S = I. To reproduce a run, set the
 * values and then `variationalParamsInitialized = true`.
 *
 * Construct it with the model (`new VariationalStrategy(this, …)` is impossible before
 * `super()` in JavaScript, so pass `null` and give the strategy to
 * {@link ApproximateGP}'s constructor, which attaches it).
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 * class Model extends gp.models.ApproximateGP {
 *   meanModule = new gp.means.ZeroMean();
 *   covarModule = new gp.kernels.RBFKernel();
 *   constructor(z: number[]) {
 *     super(new gp.variational.VariationalStrategy(
 *       null, z, new gp.variational.CholeskyVariationalDistribution(z.length),
 *     ));
 *   }
 *   forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
 *     return new gp.distributions.MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x));
 *   }
 * }
 * const model = new Model([0, 0.5, 1]);
 * const q = model.call([0.25]);
 * assert.ok((await q.variance())[0] > 0);
 * assert.ok(model.variationalStrategy.kl().item() < 1e-5); // m ≈ 0, S = I at the start
 * ```
 */
export class VariationalStrategy extends Module {
  /** The inducing points Z, M × d row-major (GPyTorch's `inducing_points`). */
  readonly inducingPoints: Parameter;
  /** q(v). */
  readonly variationalDistribution: VariationalDistribution;
  /** M. */
  readonly numInducingPoints: number;
  /** d, the inducing points' (and the data's) dimension. */
  readonly inputDims: number;
  /** The jitter on K_uu and on the predictive covariance. */
  readonly jitter: number;
  /** False until the lazy initialisation has run (or the user set the values). */
  variationalParamsInitialized = false;
  #model: PriorModel | null;
  #generator: Generator;

  /**
   * @param model the model (or null: {@link ApproximateGP}'s constructor attaches it)
   * @param inducingPoints Z: M points, or M × d
   * @param variationalDistribution q(v), of size M
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
    const z = toInputs(inducingPoints, "inducingPoints");
    if (!(variationalDistribution instanceof VariationalDistribution)) {
      throw new TypeError(
        `VariationalStrategy(model, inducingPoints, variationalDistribution): ` +
          `variationalDistribution must be e.g. new CholeskyVariationalDistribution(${z.n}), got ` +
          `${variationalDistribution}`,
      );
    }
    if (variationalDistribution.numInducingPoints !== z.n) {
      throw new RangeError(
        `VariationalStrategy(model, inducingPoints, variationalDistribution): the ` +
          `variational distribution has size ${variationalDistribution.numInducingPoints} but ` +
          `there are ${z.n} inducing points; construct it with ` +
          `new CholeskyVariationalDistribution(${z.n})`,
      );
    }
    const jitter = options.jitter ?? VARIATIONAL_JITTER;
    if (!Number.isFinite(jitter) || jitter < 0) {
      throw new RangeError(
        `VariationalStrategy({ jitter }): jitter = ${jitter} must be finite and ≥ 0 (GPyTorch: 1e-6)`,
      );
    }
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
        `VariationalStrategy: this strategy already belongs to another model; create one ` +
          `strategy per model`,
      );
    }
    this.#model = model;
  }

  /** Z as a recorded [M, d] tensor (a leaf of the inducing points' parameter). */
  inducingTensor(): Tensor {
    return this.inducingPoints.rawTensor().reshape([this.numInducingPoints, this.inputDims]);
  }

  /**
   * KL(q(v) ‖ N(0, I)) = ½ (‖m‖² + ‖L‖²_F − M − log det(L Lᵀ)), recorded (GPyTorch's
   * `kl_divergence()` for the whitened prior).
   */
  kl(): Tensor {
    this.#initialize();
    const q = this.variationalDistribution;
    const { mean: m, root } = q.moments();
    const logdet = log(square(diagonal(root))).sum();
    return m.mul(m).sum().add(root.mul(root).sum()).sub(logdet).sub(this.numInducingPoints).mul(
      0.5,
    );
  }

  /** q(f(x)) (GPyTorch's `variational_strategy(x)`). */
  call(x: InputLike): VariationalMultivariateNormal {
    return this.#atomically(() => this.#call(x));
  }

  #call(x: InputLike): VariationalMultivariateNormal {
    const model = this.#model;
    if (model === null) {
      throw new TypeError(
        `VariationalStrategy.call(x): the strategy has no model; give it to ` +
          `ApproximateGP's constructor (super(strategy))`,
      );
    }
    const inputs = toInputs(x, "x");
    if (inputs.d !== this.inputDims) {
      throw new TypeError(
        `VariationalStrategy.call(x): x has ${inputs.d} dimension(s) per point but the ` +
          `inducing points have ${this.inputDims}; give inducingPoints as M × ${inputs.d} ` +
          `(the data's dimension)`,
      );
    }
    this.#initialize();
    const prior = model.forward(inputs);
    const loc = prior?.loc, cov = prior?.lazyCovarianceMatrix;
    if (
      !(prior instanceof MultivariateNormal) || !(loc instanceof MeanVector) ||
      !(cov instanceof KernelCovariance) || cov.diagonalTerms.length > 0
    ) {
      throw new TypeError(
        `VariationalStrategy.call(x): the model's forward(x) must return ` +
          `new MultivariateNormal(meanModule.call(x), covarModule.call(x)), got ${prior}`,
      );
    }
    const n = inputs.n, mInd = this.numInducingPoints;
    const xt = new Tensor(inputs.data, [n, inputs.d]);
    const z = this.inducingTensor();
    const plan = cov.plan;
    const theta = thetaTensor(plan.slots);
    const meanX = loc.mean !== null ? loc.mean.forward(xt) : new Tensor(loc.values.slice(), [n]);
    const kuu = kernelMatrix(plan, theta, z).add(eye(mInd, this.jitter));
    const kux = kernelMatrix(plan, theta, z, xt);
    const kxx = kernelDiagonal(plan, theta, xt);
    const l = cholesky(kuu);
    const a = triangularSolve(l, kux); // L⁻¹ K_ux, M × n
    const q = this.variationalDistribution;
    const { mean: qMean, root } = q.moments();
    const mean = matmul(a, qMean, { transposeA: true }).add(meanX);
    // diag(Aᵀ (S − I) A) = colsum((Rᵀ A)²) − colsum(A²), fused: R is triangular, so Rᵀ A and
    // its VJP cost half a dense product each, and no M³ term.
    const variance = kxx.add(this.jitter).add(whitenedVarianceTerm(root, a));
    const jitter = this.jitter;
    const dense = (): Tensor => {
      const kxxFull = kernelMatrix(plan, theta, xt).add(eye(n, jitter));
      const rootTa = matmul(root, a, { transposeA: true });
      const s = matmul(rootTa, rootTa, { transposeA: true });
      const p = matmul(a, a, { transposeA: true });
      return kxxFull.add(s).sub(p);
    };
    return new VariationalMultivariateNormal(mean, variance, dense);
  }

  #initialize(): void {
    if (this.variationalParamsInitialized) return;
    this.variationalDistribution.initializeFromWhitenedPrior(this.#generator);
    this.variationalParamsInitialized = true;
  }

  /** Run `body`; if it throws, undo a lazy initialisation it made (nothing left half-done). */
  #atomically<T>(body: () => T): T {
    if (this.variationalParamsInitialized) return body();
    const q = this.variationalDistribution;
    const saved = q.parameters().map((p) => [p, p.rawValues] as const);
    const generator = this.#generator.seed;
    try {
      return body();
    } catch (e) {
      for (const [p, raw] of saved) p.setRaw(raw);
      this.variationalParamsInitialized = false;
      this.#generator = new Generator(generator);
      throw e;
    }
  }
}
