/**
 * A model's posterior at test points in the original outcome units (BoTorch's
 * `GPyTorchPosterior` after the outcome transform's `untransform_posterior`).
 *
 * @module
 */
import type { Tensor } from "../autograd/tensor.ts";
import type { MultivariateNormal } from "../distributions/multivariate_normal.ts";

/**
 * The posterior over f at m test points, in the units of the training outcomes: the
 * model-space `MultivariateNormal` with mean·std + offset and covariance·std². The tensor
 * forms are recorded, so they are differentiable in the test inputs and the parameters.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const model = new gp.bo.SingleTaskGP([[0.1], [0.5], [0.9]], [10, 30, 20], { bounds: [[0], [1]] });
 * const post = model.predict([[0.5]]);
 * const [mean] = await post.mean();
 * assert.ok(Math.abs(mean - 30) < 2); // near the observation at 0.5, in the original units
 * assert.strictEqual((await post.varianceTensor()).shape[0], 1);
 * ```
 */
export class Posterior {
  /** The posterior in the model's (standardized) units. */
  readonly mvn: MultivariateNormal;
  /** The outcome transform's offset (its mean). */
  readonly offset: number;
  /** Its scale (std). */
  readonly scale: number;

  /**
   * @param mvn the posterior in model units
   * @param offset added to the mean (the outcome transform's mean; default 0)
   * @param scale multiplies the mean, its square the covariance (the outcome std; default 1)
   */
  constructor(mvn: MultivariateNormal, offset = 0, scale = 1) {
    this.mvn = mvn;
    this.offset = offset;
    this.scale = scale;
  }

  /** The number of test points. */
  get size(): number {
    return this.mvn.size;
  }

  /** The mean, shape [m], recorded. */
  async meanTensor(): Promise<Tensor> {
    return (await this.mvn.meanTensor()).mul(this.scale).add(this.offset);
  }

  /** The variances, shape [m], recorded. */
  async varianceTensor(): Promise<Tensor> {
    return (await this.mvn.varianceTensor()).mul(this.scale * this.scale);
  }

  /** The covariance, shape [m, m], recorded. */
  async covarianceTensor(): Promise<Tensor> {
    return (await this.mvn.covarianceTensor()).mul(this.scale * this.scale);
  }

  /** The mean as numbers. */
  async mean(): Promise<Float64Array> {
    return (await this.mvn.mean()).map((v) => this.offset + v * this.scale);
  }

  /** The variances as numbers. */
  async variance(): Promise<Float64Array> {
    const s2 = this.scale * this.scale;
    return (await this.mvn.variance()).map((v) => v * s2);
  }
}
