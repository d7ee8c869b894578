/**
 * A learned linear mean.
 *
 * @module
 */

import { Mean } from "./mean.ts";
import { Parameter } from "../parameter.ts";
import { addGradient, type GradientMap } from "../gradient_map.ts";
import type { Inputs } from "../tensor.ts";

/**
 * μ(x) = x · w + b, GPyTorch's LinearMean(inputSize, bias = true): weights w (one per
 * input column) and bias b learned, unconstrained, starting at 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LinearMean } from "./linear_mean.ts";
 * const m = new LinearMean(2).initialize({ weights: [1, 2], bias: 0.5 });
 * assert.deepEqual(m.call([[1, 1], [2, 0]]).values, Float64Array.of(3.5, 2.5));
 * ```
 */
export class LinearMean extends Mean {
  /** The weights w (raw value = weight). */
  readonly weights: Parameter;
  /** The bias b, or null with `bias: false`. */
  readonly bias: Parameter | null;
  /** The number of input columns. */
  readonly inputSize: number;

  constructor(inputSize: number, options: { bias?: boolean } = {}) {
    super();
    if (!Number.isInteger(inputSize) || inputSize < 1) {
      throw new RangeError(
        `LinearMean(inputSize): inputSize = ${inputSize} must be a positive integer (the ` +
          `number of input columns)`,
      );
    }
    this.inputSize = inputSize;
    this.weights = new Parameter(new Array(inputSize).fill(0));
    this.bias = options.bias === false ? null : new Parameter(0);
  }

  evaluate(x: Inputs): Float64Array {
    if (x.d !== this.inputSize) {
      throw new TypeError(
        `LinearMean.call(x): x has ${x.d} column(s) but the mean was built with inputSize = ` +
          `${this.inputSize}; use new LinearMean(${x.d})`,
      );
    }
    const w = this.weights.values;
    const b = this.bias === null ? 0 : this.bias.value;
    const out = new Float64Array(x.n);
    for (let i = 0; i < x.n; i++) {
      let s = b;
      for (let k = 0; k < x.d; k++) s += x.data[i * x.d + k] * w[k];
      out[i] = s;
    }
    return out;
  }

  vectorJacobian(x: Inputs, cotangent: Float64Array, into: GradientMap): void {
    let sum = 0;
    for (let i = 0; i < x.n; i++) {
      sum += cotangent[i];
      for (let k = 0; k < x.d; k++) {
        addGradient(into, this.weights, k, cotangent[i] * x.data[i * x.d + k]);
      }
    }
    if (this.bias !== null) addGradient(into, this.bias, 0, sum);
  }

  /** cotangent_i · w for each point. */
  override inputVectorJacobian(x: Inputs, cotangent: Float64Array): Float64Array {
    const w = this.weights.values;
    const out = new Float64Array(x.n * x.d);
    for (let i = 0; i < x.n; i++) {
      for (let k = 0; k < x.d; k++) out[i * x.d + k] = cotangent[i] * w[k];
    }
    return out;
  }
}
