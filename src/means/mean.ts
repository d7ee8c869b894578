/**
 * The base of every mean function, and the mean vector it gives at some inputs.
 *
 * @module
 */

import { Module } from "../module.ts";
import { type InputLike, type Inputs, toInputs } from "../tensor.ts";
import type { GradientMap } from "../gradient_map.ts";

/** Where a distribution's mean comes from: numbers now, or a computation to await. */
export interface MeanSource {
  /** Number of entries. */
  readonly size: number;
  /** The mean values. */
  evaluate(): Promise<Float64Array>;
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
