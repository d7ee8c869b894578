/**
 * Exact GP prediction: the training data's solve, cached, and the posterior mean and
 * covariance at new inputs from it. The solve is a {@link PredictionSolve}: the
 * Cholesky one here ({@link TrainingSolve}), or the BBMM one (bbmm_posterior.ts).
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import { choleskyFactor } from "../wasm/cholesky_factor.ts";
import type { KernelPlan } from "../kernel_plan.ts";
import type { Inputs } from "../tensor.ts";
import type { Covariance, KernelCovariance } from "../distributions/covariance.ts";
import type { MeanSource, MeanVector } from "../means/mean.ts";
import type { PredictionSolve, QuadraticFactors } from "../prediction_solve.ts";
import { Tensor } from "../autograd/tensor.ts";
import type { TensorPosterior } from "./tensor_posterior.ts";

/**
 * What prediction needs from the training data, computed once per training state:
 * K̂ = L Lᵀ and α = K̂⁻¹ (y − μ).
 */
export class TrainingSolve implements PredictionSolve {
  /** The training inputs. */
  readonly x: Inputs;
  /** Lower Cholesky factor of K̂, row-major n × n. */
  readonly factor: Float64Array;
  /** K̂⁻¹ (y − μ). */
  readonly alpha: Float64Array;
  /** Jitter added to factor K̂ (0 when none was needed). */
  readonly jitter: number;
  readonly solver = "cholesky" as const;
  readonly device = "WASM (float64)";

  private constructor(x: Inputs, factor: Float64Array, alpha: Float64Array, jitter: number) {
    this.x = x;
    this.factor = factor;
    this.alpha = alpha;
    this.jitter = jitter;
  }

  /** Factor K̂ and solve for α. */
  static async compute(
    mean: MeanVector,
    covariance: KernelCovariance,
    y: Float64Array,
  ): Promise<TrainingSolve> {
    const n = covariance.size;
    using factor = choleskyFactor(
      await covariance.dense(),
      n,
      "the training covariance K + noise",
    );
    const r = y.map((v, i) => v - mean.values[i]);
    const alpha = factor.solve(r);
    return new TrainingSolve(covariance.x, factor.factor.toArray(), alpha, factor.jitter);
  }

  /**
   * A solve from a factor computed elsewhere (the block update of
   * `conditionTrainingSolve`): `factor` is L with L Lᵀ = K̂ (n × n, row-major, lower),
   * `alpha` = K̂⁻¹ (y − μ). Nothing is checked; the caller vouches for both.
   */
  static fromFactor(
    x: Inputs,
    factor: Float64Array,
    alpha: Float64Array,
    jitter: number,
  ): TrainingSolve {
    return new TrainingSolve(x, factor, alpha, jitter);
  }

  get n(): number {
    return this.x.n;
  }

  /**
   * V = L⁻¹ K(X, X*): K(X*, X) K̂⁻¹ K(X, X*) = Vᵀ V. `fast` changes nothing here: the
   * triangular solve is exact and already the cheapest way (n² m flops; a kept L⁻¹ would
   * cost n³ once and 2 n² m per prediction: examples/large_n.ts at N = 5000 predicted 200
   * points in 12.4 s with it, 2.1 s without).
   */
  quadraticFactors(cross: Float64Array, m: number, _fast: boolean): Promise<QuadraticFactors> {
    const v = this.whiten(cross, m);
    return Promise.resolve({ a: v, b: v, rows: this.n });
  }

  /** V = L⁻¹ B for B = K(X, X*) (n × m), by a triangular solve. */
  whiten(b: Float64Array, m: number): Float64Array {
    using lBuf = core.F64Buffer.from(this.factor);
    using bBuf = core.F64Buffer.from(b);
    core.trsmLower(lBuf, this.n, bBuf, m, false);
    return bBuf.toArray();
  }
}

/** The posterior at test inputs, computed on first use and shared by mean and covariance. */
export class ExactPrediction {
  readonly #solve: Promise<PredictionSolve>;
  readonly #prior: { mean: MeanSource; covariance: KernelCovariance; plan: KernelPlan };
  readonly #fast: boolean;
  #cross: Promise<{ cross: Float64Array; factors: QuadraticFactors | null }> | null = null;

  /**
   * @param solve the training data's solve
   * @param testMean the prior mean at the test inputs
   * @param testCovariance the prior covariance at the test inputs
   * @param fast variances from the solve's fast cache (settings.fastPredVar)
   */
  constructor(
    solve: Promise<PredictionSolve>,
    testMean: MeanSource,
    testCovariance: KernelCovariance,
    fast: boolean,
  ) {
    this.#solve = solve;
    this.#prior = { mean: testMean, covariance: testCovariance, plan: testCovariance.plan };
    this.#fast = fast;
  }

  /** Number of test points. */
  get size(): number {
    return this.#prior.covariance.size;
  }

  /** K(X, X*) (n × m), and the factors of K(X*, X) K̂⁻¹ K(X, X*) once a variance is asked for. */
  async #crossTerms(
    withFactors: boolean,
  ): Promise<{ cross: Float64Array; factors: QuadraticFactors | null }> {
    if (this.#cross === null) {
      this.#cross = this.#solve.then((solve) => ({
        cross: core.kernelMatrix(this.#prior.plan, solve.x, this.#prior.covariance.x),
        factors: null,
      }));
    }
    const terms = await this.#cross;
    if (withFactors && terms.factors === null) {
      const solve = await this.#solve;
      terms.factors = await solve.quadraticFactors(terms.cross, this.size, this.#fast);
    }
    return terms;
  }

  /** μ* + K(X*, X) α. */
  async mean(): Promise<Float64Array> {
    const solve = await this.#solve;
    const { cross } = await this.#crossTerms(false);
    const mean = await this.#prior.mean.evaluate();
    const n = solve.n, m = this.size;
    for (let i = 0; i < n; i++) {
      const a = solve.alpha[i];
      const row = i * m;
      for (let j = 0; j < m; j++) mean[j] += cross[row + j] * a;
    }
    return mean;
  }

  /** diag K(X*, X*) − colsum(A ∘ B). */
  async variance(): Promise<Float64Array> {
    const { factors } = await this.#crossTerms(true);
    const { a, b, rows } = factors!;
    const v = await this.#prior.covariance.diagonal();
    const m = this.size;
    for (let i = 0; i < rows; i++) {
      const row = i * m;
      for (let j = 0; j < m; j++) v[j] -= a[row + j] * b[row + j];
    }
    return v;
  }

  /** K(X*, X*) − sym(Aᵀ B). */
  async covariance(): Promise<Float64Array> {
    const { factors } = await this.#crossTerms(true);
    const { a, b, rows } = factors!;
    const c = await this.#prior.covariance.dense();
    const m = this.size;
    const half = a === b ? 1 : 0.5;
    for (let i = 0; i < rows; i++) {
      const row = i * m;
      for (let p = 0; p < m; p++) {
        const ap = a[row + p], bp = b[row + p];
        if (ap === 0 && bp === 0) continue;
        for (let q = 0; q < m; q++) {
          c[p * m + q] -= a === b ? ap * b[row + q] : half * (ap * b[row + q] + bp * a[row + q]);
        }
      }
    }
    return c;
  }
}

/** The posterior mean as a {@link MeanSource}. */
export class PosteriorMean implements MeanSource {
  readonly #prediction: ExactPrediction;
  readonly #tensors: TensorPosterior | null;
  constructor(prediction: ExactPrediction, tensors: TensorPosterior | null = null) {
    this.#prediction = prediction;
    this.#tensors = tensors;
  }
  get size(): number {
    return this.#prediction.size;
  }
  evaluate(): Promise<Float64Array> {
    return this.#prediction.mean();
  }
  /** The mean as a recorded tensor (differentiable in x and the parameters). */
  async evaluateTensor(): Promise<Tensor> {
    if (this.#tensors !== null) return this.#tensors.mean();
    return new Tensor(await this.evaluate(), [this.size]);
  }
}

/** The posterior covariance as a {@link Covariance}. */
export class PosteriorCovariance implements Covariance {
  readonly #prediction: ExactPrediction;
  readonly #tensors: TensorPosterior | null;
  constructor(prediction: ExactPrediction, tensors: TensorPosterior | null = null) {
    this.#prediction = prediction;
    this.#tensors = tensors;
  }
  /** The covariance as a recorded tensor (differentiable in x and the parameters). */
  async denseTensor(): Promise<Tensor> {
    if (this.#tensors !== null) return this.#tensors.covariance();
    return new Tensor(await this.dense(), [this.size, this.size]);
  }
  /** The variances as a recorded tensor. */
  async diagonalTensor(): Promise<Tensor> {
    if (this.#tensors !== null) return this.#tensors.variance();
    return new Tensor(await this.diagonal(), [this.size]);
  }
  get size(): number {
    return this.#prediction.size;
  }
  dense(): Promise<Float64Array> {
    return this.#prediction.covariance();
  }
  diagonal(): Promise<Float64Array> {
    return this.#prediction.variance();
  }
}
