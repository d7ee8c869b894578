/**
 * The multivariate normal distribution that models and likelihoods return.
 *
 * @module
 */

import { type MeanSource, MeanVector } from "../means/mean.ts";
import { type Covariance, DenseCovariance } from "./covariance.ts";
import { choleskyFactor } from "../wasm/cholesky_factor.ts";
import { Generator } from "../random.ts";
import { toVector, type VectorLike } from "../tensor.ts";
import { Tensor } from "../autograd/tensor.ts";

/** How to draw samples. */
export interface SampleOptions {
  /** A generator to draw from (its state advances). */
  generator?: Generator;
  /** A seed for a fresh generator (ignored when `generator` is given). */
  seed?: number;
}

/** Lower and upper bounds of a band. */
export interface ConfidenceRegion {
  /** mean − 2σ. */
  lower: Float64Array;
  /** mean + 2σ. */
  upper: Float64Array;
}

/**
 * N(μ, Σ), described rather than computed: numbers come from the async methods.
 *
 * A model's `forward` builds one from a mean module's and a kernel's output:
 *
 * ```ts ignore
 * forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
 *   return new gp.distributions.MultivariateNormal(
 *     this.meanModule.call(x),
 *     this.covarModule.call(x),
 *   );
 * }
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MultivariateNormal } from "./multivariate_normal.ts";
 * const mvn = MultivariateNormal.fromArrays([0, 0], [[1, 0.5], [0.5, 1]]);
 * const { lower, upper } = await mvn.confidenceRegion();
 * assert.equal(lower[0], -2);
 * assert.equal(upper[0], 2);
 * ```
 */
export class MultivariateNormal {
  /** Where the mean comes from (GPyTorch's `loc`). */
  readonly loc: MeanSource;
  /** The covariance, lazily evaluated (GPyTorch's `lazy_covariance_matrix`). */
  readonly lazyCovarianceMatrix: Covariance;

  constructor(mean: MeanSource, covariance: Covariance) {
    if (mean === null || typeof mean !== "object" || typeof mean.evaluate !== "function") {
      throw new TypeError(
        `MultivariateNormal(mean, covariance): mean must be a mean module's output ` +
          `(meanModule.call(x)), got ${mean}; for plain numbers use MultivariateNormal.fromArrays`,
      );
    }
    if (
      covariance === null || typeof covariance !== "object" ||
      typeof covariance.dense !== "function"
    ) {
      throw new TypeError(
        `MultivariateNormal(mean, covariance): covariance must be a kernel's output ` +
          `(covarModule.call(x)), got ${covariance}`,
      );
    }
    if (mean.size !== covariance.size) {
      throw new TypeError(
        `MultivariateNormal(mean, covariance): mean has ${mean.size} entries but the ` +
          `covariance is ${covariance.size} × ${covariance.size}; evaluate both at the same x`,
      );
    }
    this.loc = mean;
    this.lazyCovarianceMatrix = covariance;
  }

  /** N(mean, covariance) from plain numbers (covariance as rows, or row-major flat). */
  static fromArrays(
    mean: VectorLike,
    covariance: ArrayLike<ArrayLike<number>> | VectorLike,
  ): MultivariateNormal {
    const mu = toVector(mean, "mean");
    const n = mu.length;
    const cov = covariance.length > 0 && typeof covariance[0] === "object"
      ? DenseCovariance.from(covariance as ArrayLike<ArrayLike<number>>)
      : new DenseCovariance(toVector(covariance as VectorLike, "covariance"), n);
    return new MultivariateNormal(new MeanVector(mu), cov);
  }

  /** Number of dimensions (event size). */
  get size(): number {
    return this.loc.size;
  }

  /** The mean vector. */
  mean(): Promise<Float64Array> {
    return this.loc.evaluate();
  }

  /** The marginal variances (the covariance's diagonal). */
  async variance(): Promise<Float64Array> {
    const v = await this.lazyCovarianceMatrix.diagonal();
    // Rounding can leave a tiny negative variance where the posterior is certain.
    for (let i = 0; i < v.length; i++) if (v[i] < 0) v[i] = 0;
    return v;
  }

  /**
   * The mean as a recorded tensor [size] (the differentiable twin of {@link mean},
   * GPyTorch's `dist.mean` under autograd): for a model's prior or posterior it is
   * differentiable in every parameter, and for a posterior at tensor inputs
   * (`model.call(x)` with `x` a Tensor) in `x` too. Constants for plain numbers.
   *
   * @example
   * ```ts
   * import { MultivariateNormal } from "./multivariate_normal.ts";
   * import assert from "node:assert";
   * const mvn = MultivariateNormal.fromArrays([1, 2], [[1, 0], [0, 1]]);
   * assert.deepStrictEqual(Array.from((await mvn.meanTensor()).data), [1, 2]);
   * ```
   */
  async meanTensor(): Promise<Tensor> {
    if (this.loc.evaluateTensor) return await this.loc.evaluateTensor();
    return new Tensor(await this.loc.evaluate(), [this.size]);
  }

  /**
   * The marginal variances as a recorded tensor [size] (the twin of {@link variance};
   * not clipped at 0, so that its gradient is the true one).
   *
   * @example
   * ```ts
   * import { MultivariateNormal } from "./multivariate_normal.ts";
   * import assert from "node:assert";
   * const mvn = MultivariateNormal.fromArrays([0, 0], [[2, 1], [1, 3]]);
   * assert.deepStrictEqual(Array.from((await mvn.varianceTensor()).data), [2, 3]);
   * ```
   */
  async varianceTensor(): Promise<Tensor> {
    const c = this.lazyCovarianceMatrix;
    if (c.diagonalTensor) return await c.diagonalTensor();
    return new Tensor(await c.diagonal(), [this.size]);
  }

  /**
   * The covariance matrix as a recorded tensor [size, size] (the twin of
   * {@link covarianceMatrix}).
   *
   * @example
   * ```ts
   * import { MultivariateNormal } from "./multivariate_normal.ts";
   * import assert from "node:assert";
   * const mvn = MultivariateNormal.fromArrays([0, 0], [[2, 1], [1, 3]]);
   * assert.deepStrictEqual((await mvn.covarianceTensor()).shape, [2, 2]);
   * ```
   */
  async covarianceTensor(): Promise<Tensor> {
    const c = this.lazyCovarianceMatrix;
    if (c.denseTensor) return await c.denseTensor();
    return new Tensor(await c.dense(), [this.size, this.size]);
  }

  /** The marginal standard deviations. */
  async stddev(): Promise<Float64Array> {
    return (await this.variance()).map(Math.sqrt);
  }

  /** The full covariance matrix, row-major size × size. */
  covarianceMatrix(): Promise<Float64Array> {
    return this.lazyCovarianceMatrix.dense();
  }

  /** mean ± 2 standard deviations, as GPyTorch's `confidence_region()`. */
  async confidenceRegion(): Promise<ConfidenceRegion> {
    const [mean, std] = await Promise.all([this.mean(), this.stddev()]);
    return {
      lower: mean.map((m, i) => m - 2 * std[i]),
      upper: mean.map((m, i) => m + 2 * std[i]),
    };
  }

  /**
   * One exact draw: mean + L z with L the float64 Cholesky factor of the covariance
   * (no low-rank shortcut at any size). A covariance that is singular in float64
   * (a noiseless smooth kernel) gets the smallest jitter that factors it, with a
   * warning.
   */
  async sample(options: SampleOptions = {}): Promise<Float64Array> {
    return (await this.samples(1, options))[0];
  }

  /** `count` independent exact draws (one factorization for all). */
  async samples(count: number, options: SampleOptions = {}): Promise<Float64Array[]> {
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`samples(count): count = ${count} must be a positive integer`);
    }
    const generator = options.generator ?? new Generator(options.seed);
    const n = this.size;
    const [mean, cov] = await Promise.all([this.mean(), this.covarianceMatrix()]);
    using factor = choleskyFactor(cov, n, "the covariance to sample from");
    const l = factor.factor.view();
    const out: Float64Array[] = [];
    for (let s = 0; s < count; s++) {
      const z = generator.normals(n);
      const draw = mean.slice();
      for (let i = 0; i < n; i++) {
        let acc = 0;
        const row = i * n;
        for (let j = 0; j <= i; j++) acc += l[row + j] * z[j];
        draw[i] += acc;
      }
      out.push(draw);
    }
    return out;
  }

  /** log N(y; μ, Σ) (float64 Cholesky). */
  async logProb(y: VectorLike): Promise<number> {
    const target = toVector(y, "y");
    if (target.length !== this.size) {
      throw new TypeError(
        `logProb(y): y has ${target.length} entries but the distribution has ${this.size}`,
      );
    }
    const n = this.size;
    const [mean, cov] = await Promise.all([this.mean(), this.covarianceMatrix()]);
    using factor = choleskyFactor(cov, n, "the covariance");
    const r = target.map((v, i) => v - mean[i]);
    const z = factor.solveTriangular(r, 1, false);
    let quad = 0;
    for (let i = 0; i < n; i++) quad += z[i] * z[i];
    return -0.5 * (quad + factor.logdet() + n * Math.log(2 * Math.PI));
  }
}
