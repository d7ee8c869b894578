/**
 * The base of every mean function, and the mean vector it gives at some inputs.
 *
 * @module
 */

import { Module } from "../module.ts";
import { type InputLike, Inputs, toInputs } from "../tensor.ts";
import type { GradientMap } from "../gradient_map.ts";
import { Tensor } from "../autograd/tensor.ts";
import { gradientMapOp } from "../gradient_map_op.ts";

/** Where a distribution's mean comes from: numbers now, or a computation to await. */
export interface MeanSource {
  /** Number of entries. */
  readonly size: number;
  /** The mean values. */
  evaluate(): Promise<Float64Array>;
  /**
   * The mean as a recorded tensor [size], differentiable in the parameters (and, for a
   * posterior at tensor inputs, in those); absent where the source offers none.
   */
  evaluateTensor?(): Promise<Tensor>;
}

/** A mean evaluated at some inputs, with what it takes to chain gradients back. */
export class MeanVector implements MeanSource {
  /** μ(x_i) for each input point, at the parameter values of the call. */
  readonly values: Float64Array;
  /** The mean function it came from, or null for a fixed vector. */
  readonly mean: Mean | null;
  /** The inputs, or null for a fixed vector. */
  readonly x: Inputs | null;

  constructor(values: Float64Array, mean: Mean | null = null, x: Inputs | null = null) {
    this.values = values;
    this.mean = mean;
    this.x = x;
  }

  /** Number of entries. */
  get size(): number {
    return this.values.length;
  }

  evaluate(): Promise<Float64Array> {
    return Promise.resolve(this.values.slice());
  }

  /** The mean as a recorded tensor (the mean function at these inputs; a fixed vector as constants). */
  evaluateTensor(): Promise<Tensor> {
    if (this.mean === null || this.x === null) {
      return Promise.resolve(new Tensor(this.values.slice(), [this.values.length]));
    }
    return Promise.resolve(this.mean.forward(new Tensor(this.x.data, [this.x.n, this.x.d])));
  }

  /** Given d(scalar)/dμ, add d(scalar)/d(parameter values) into `into`. */
  scatterGradient(dMean: Float64Array, into: GradientMap): void {
    if (this.mean !== null && this.x !== null) this.mean.vectorJacobian(this.x, dMean, into);
  }
}

/** A mean function μ(x). Subclasses give its values and its vector–Jacobian product. */
export abstract class Mean extends Module {
  /** μ at each point of `x`. */
  abstract evaluate(x: Inputs): Float64Array;

  /** Add Σ_i cotangent_i · ∂μ(x_i)/∂θ for each parameter θ into `into`. */
  abstract vectorJacobian(x: Inputs, cotangent: Float64Array, into: GradientMap): void;

  /**
   * cotangent_i · ∂μ(x_i)/∂x_i (n × d, row-major), for gradients with respect to the
   * inputs; null when the mean does not say (then {@link Mean.forward} refuses inputs
   * that require a gradient). The built-in means implement it.
   */
  inputVectorJacobian(_x: Inputs, _cotangent: Float64Array): Float64Array | null {
    return null;
  }

  /**
   * μ at the points `x` ([n, d] tensor) as a recorded operation (GPyTorch's
   * `mean_module.forward(x)`), differentiable in the parameters and in `x`.
   *
   * @example
   * ```ts
   * import { ConstantMean } from "./constant_mean.ts";
   * import { tensor } from "../autograd/tensor.ts";
   * import assert from "node:assert";
   * const m = new ConstantMean().initialize({ constant: 3 });
   * const mu = m.forward(tensor([[0], [1]]));
   * mu.sum().backward();
   * assert.deepStrictEqual(Array.from(mu.data), [3, 3]);
   * assert.strictEqual(m.rawConstant.grad![0], 2);
   * ```
   */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor) || x.ndim !== 2) {
      throw new TypeError(
        `${this.constructor.name}.forward(x): x must be a Tensor of shape [n, d], got ${
          x instanceof Tensor ? `shape [${x.shape.join(", ")}]` : typeof x
        }`,
      );
    }
    const inputs = new Inputs(x.data, x.shape[0], x.shape[1]);
    if (x.requiresGrad && this.inputVectorJacobian(inputs, new Float64Array(inputs.n)) === null) {
      throw new TypeError(
        `${this.constructor.name}.forward(x): x requires a gradient but this mean has no ` +
          `inputVectorJacobian; implement it (cotangent_i · dμ(x_i)/dx_i) to differentiate in x`,
      );
    }
    return gradientMapOp({
      name: `${this.constructor.name}.forward`,
      data: this.evaluate(inputs),
      shape: [inputs.n],
      parameterVjp: (g, into) => this.vectorJacobian(inputs, g, into),
      inputs: [x],
      inputVjp: (g) => [x.requiresGrad ? this.inputVectorJacobian(inputs, g) : null],
    });
  }

  /**
   * The mean at `x` (GPyTorch's `mean_module(x)`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConstantMean } from "./constant_mean.ts";
   * const m = new ConstantMean().initialize({ constant: 3 });
   * assert.deepEqual(m.call([0, 1]).values, Float64Array.of(3, 3));
   * ```
   */
  call(x: InputLike): MeanVector {
    const inputs = toInputs(x, "x");
    return new MeanVector(this.evaluate(inputs), this, inputs);
  }
}
